{{/*
The workload of one component, shared by the five so hardening, probes and grace periods cannot
drift apart. Arguments: (dict "root" $ "component" "dispatcher" "env" <yaml list string>
"volumes" <yaml list string> "volumeMounts" <yaml list string>). The Kafka security settings
(credentials, truststore) are added here for all five: every component is a Kafka client.
*/}}
{{- define "mailer.deployment" -}}
{{- $root := .root }}
{{- $values := index $root.Values .component }}
{{- $ctx := dict "root" $root "component" .component }}
{{- $truststore := dict "name" "kafka-truststore" "file" $root.Values.kafkaTruststore }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "mailer.componentName" $ctx }}
  labels:
    {{- include "mailer.componentLabels" $ctx | nindent 4 }}
spec:
  {{- if not (or $values.autoscaling.enabled (include "mailer.kedaScales" $ctx)) }}
  replicas: {{ $values.replicaCount }}
  {{- end }}
  revisionHistoryLimit: 10
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 1
      maxSurge: 1
  selector:
    matchLabels:
      {{- include "mailer.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "mailer.selectorLabels" $ctx | nindent 8 }}
        app.kubernetes.io/part-of: mailer
      annotations:
        # roll the pods when settings change
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
        {{- if not $root.Values.secrets.existingSecret }}
        checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
        {{- end }}
        {{- with $values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "mailer.serviceAccountName" $ctx }}
      # no Kubernetes API calls; IRSA / Pod Identity project their own token
      automountServiceAccountToken: false
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      terminationGracePeriodSeconds: {{ $values.terminationGracePeriodSeconds }}
      securityContext:
        {{- toYaml $root.Values.podSecurityContext | nindent 8 }}
      containers:
        - name: {{ .component }}
          image: {{ include "mailer.image" $ctx | quote }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          securityContext:
            {{- toYaml $root.Values.containerSecurityContext | nindent 12 }}
          ports:
            - name: http
              containerPort: {{ $values.port }}
              protocol: TCP
          envFrom:
            - configMapRef:
                name: {{ include "mailer.configMapName" $root }}
          env:
            - name: PORT
              value: {{ $values.port | quote }}
            - name: JAVA_TOOL_OPTIONS
              value: {{ $values.jvmOptions | default $root.Values.jvm.options | quote }}
            {{- range $name, $value := $values.env }}
            - name: {{ $name }}
              value: {{ $value | quote }}
            {{- end }}
            {{- with .env }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- /* every component talks to Kafka */}}
            {{- with include "mailer.kafkaSecurityEnv" (dict "root" $root) | trim }}
            {{- . | nindent 12 }}
            {{- end }}
          livenessProbe:
            {{- include "mailer.httpProbe" (dict "probe" $values.probes.liveness) | nindent 12 }}
          readinessProbe:
            {{- include "mailer.httpProbe" (dict "probe" $values.probes.readiness) | nindent 12 }}
          startupProbe:
            {{- include "mailer.httpProbe" (dict "probe" $values.probes.startup) | nindent 12 }}
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- with .volumeMounts }}
            {{- . | nindent 12 }}
            {{- end }}
            {{- with include "mailer.secretFileMount" $truststore | trim }}
            {{- . | nindent 12 }}
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $root.Values.tmpSizeLimit }}
        {{- with .volumes }}
        {{- . | nindent 8 }}
        {{- end }}
        {{- with include "mailer.secretFileVolume" $truststore | trim }}
        {{- . | nindent 8 }}
        {{- end }}
      {{- with $values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      topologySpreadConstraints:
        {{- if $values.topologySpreadConstraints }}
        {{- toYaml $values.topologySpreadConstraints | nindent 8 }}
        {{- else }}
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              {{- include "mailer.selectorLabels" $ctx | nindent 14 }}
        {{- end }}
{{- end }}

{{/* The Service of one component (probes and /actuator/prometheus; the API for ingress). */}}
{{- define "mailer.service" -}}
{{- $values := index .root.Values .component }}
{{- $service := $values.service | default dict }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "mailer.componentName" . }}
  labels:
    {{- include "mailer.componentLabels" . | nindent 4 }}
  {{- with $service.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ $service.type | default "ClusterIP" }}
  selector:
    {{- include "mailer.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ $service.port | default $values.port }}
      targetPort: http
      protocol: TCP
{{- end }}

{{/* The HorizontalPodAutoscaler of one component. */}}
{{- define "mailer.hpa" -}}
{{- $values := index .root.Values .component }}
{{- if and $values.autoscaling.enabled (not (include "mailer.kedaScales" .)) }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "mailer.componentName" . }}
  labels:
    {{- include "mailer.componentLabels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "mailer.componentName" . }}
  minReplicas: {{ $values.autoscaling.minReplicas }}
  maxReplicas: {{ $values.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $values.autoscaling.targetCPUUtilizationPercentage }}
    {{- with $values.autoscaling.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
{{- end }}
{{- end }}

{{/* The PodDisruptionBudget of one component. */}}
{{- define "mailer.pdb" -}}
{{- $values := index .root.Values .component }}
{{- if $values.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "mailer.componentName" . }}
  labels:
    {{- include "mailer.componentLabels" . | nindent 4 }}
spec:
  maxUnavailable: {{ $values.pdb.maxUnavailable }}
  # an unready pod (a dispatcher during an SES pause, a topology pod restoring) may be evicted: it
  # serves nothing, and counting it would block every node drain for as long as it stays unready
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "mailer.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{/* The ServiceAccount of one component. */}}
{{- define "mailer.serviceAccount" -}}
{{- $values := index .root.Values .component }}
{{- if $values.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "mailer.serviceAccountName" . }}
  labels:
    {{- include "mailer.componentLabels" . | nindent 4 }}
  {{- with $values.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end }}
