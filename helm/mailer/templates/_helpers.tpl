{{/* Chart name. */}}
{{- define "mailer.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: <release>-<chart> unless the release name already contains the chart name. */}}
{{- define "mailer.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart label value. */}}
{{- define "mailer.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Common labels. */}}
{{- define "mailer.labels" -}}
helm.sh/chart: {{ include "mailer.chart" . }}
app.kubernetes.io/name: {{ include "mailer.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: mailer
{{- end }}

{{/* Selector labels of one component: (dict "root" $ "component" "ingress"). */}}
{{- define "mailer.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mailer.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Labels of one component's resources. */}}
{{- define "mailer.componentLabels" -}}
{{ include "mailer.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Resource name of one component: <fullname>-<component>. */}}
{{- define "mailer.componentName" -}}
{{- printf "%s-%s" (include "mailer.fullname" .root | trunc 50 | trimSuffix "-") .component }}
{{- end }}

{{/* Service account name of one component. */}}
{{- define "mailer.serviceAccountName" -}}
{{- $values := index .root.Values .component }}
{{- if $values.serviceAccount.create }}
{{- default (include "mailer.componentName" .) $values.serviceAccount.name }}
{{- else }}
{{- default "default" $values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference of one component. */}}
{{- define "mailer.image" -}}
{{- $values := index .root.Values .component }}
{{- $tag := $values.image.tag | default .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- $ref := ternary (printf "@%s" $values.image.digest) (printf ":%s" $tag) (not (empty $values.image.digest)) }}
{{- if .root.Values.image.registry }}
{{- printf "%s/%s%s" .root.Values.image.registry $values.image.repository $ref }}
{{- else }}
{{- printf "%s%s" $values.image.repository $ref }}
{{- end }}
{{- end }}

{{/* Name of the Secret holding the sensitive settings. */}}
{{- define "mailer.secretName" -}}
{{- default (printf "%s-secrets" (include "mailer.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{/* Name of the shared ConfigMap. */}}
{{- define "mailer.configMapName" -}}
{{- printf "%s-config" (include "mailer.fullname" .) }}
{{- end }}

{{/*
One env entry read from the Secret: (dict "root" $ "name" "DATABASE_URL" "key" "databaseUrl" "optional" false),
with "secret" <name> to read the same key from another Secret.
*/}}
{{- define "mailer.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret | default (include "mailer.secretName" .root) }}
      key: {{ index .root.Values.secrets.keys .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}

{{/* AWS static credentials, only when enabled (otherwise IRSA / the default provider chain). */}}
{{- define "mailer.awsCredentialsEnv" -}}
{{- if .Values.aws.staticCredentials }}
{{ include "mailer.secretEnv" (dict "root" . "name" "AWS_ACCESS_KEY_ID" "key" "awsAccessKeyId" "optional" false) }}
{{ include "mailer.secretEnv" (dict "root" . "name" "AWS_SECRET_ACCESS_KEY" "key" "awsSecretAccessKey" "optional" false) }}
{{- end }}
{{- end }}

{{/* An HTTP probe from a values block: (dict "probe" $probe "port" "http"). */}}
{{- define "mailer.httpProbe" -}}
httpGet:
  path: {{ .probe.path }}
  port: http
{{- with .probe.initialDelaySeconds }}
initialDelaySeconds: {{ . }}
{{- end }}
periodSeconds: {{ .probe.periodSeconds }}
timeoutSeconds: {{ .probe.timeoutSeconds }}
failureThreshold: {{ .probe.failureThreshold }}
{{- end }}

{{/* "true" when the Kafka clients authenticate with SASL (a SASL_ protocol), else empty. */}}
{{- define "mailer.kafkaSasl" -}}
{{- if hasPrefix "SASL_" .Values.config.kafkaSecurityProtocol }}true{{ end }}
{{- end }}

{{/*
Path of the Kafka truststore inside the pods, empty without one. A truststore with a protocol
without TLS fails the render: the clients would ignore it and talk clear text to a TLS listener.
*/}}
{{- define "mailer.kafkaTruststorePath" -}}
{{- $protocol := .Values.config.kafkaSecurityProtocol | default "PLAINTEXT" }}
{{- with .Values.kafkaTruststore.secretName }}
{{- if not (has $protocol (list "SSL" "SASL_SSL")) }}
{{- fail (printf "kafkaTruststore.secretName is set but config.kafkaSecurityProtocol is %s: a truststore needs SSL or SASL_SSL" $protocol) }}
{{- end }}
{{- printf "/etc/mailer/kafka-truststore/%s" $.Values.kafkaTruststore.key }}
{{- end }}
{{- end }}

{{/*
The Kafka credentials and truststore of every Kafka client (the five services and the topic Job),
nothing with PLAINTEXT: (dict "root" $), or with "secret" <name> for the credentials' Secret. SASL
credentials are required keys, never optional: a pod without them could not connect at all.
*/}}
{{- define "mailer.kafkaSecurityEnv" -}}
{{- $root := .root }}
{{- if include "mailer.kafkaSasl" $root }}
{{ include "mailer.secretEnv" (dict "root" $root "secret" .secret "name" "KAFKA_SASL_USERNAME" "key" "kafkaSaslUsername" "optional" false) }}
{{ include "mailer.secretEnv" (dict "root" $root "secret" .secret "name" "KAFKA_SASL_PASSWORD" "key" "kafkaSaslPassword" "optional" false) }}
{{- end }}
{{- with include "mailer.kafkaTruststorePath" $root }}
- name: KAFKA_SSL_TRUSTSTORE_LOCATION
  value: {{ . | quote }}
{{- with $root.Values.kafkaTruststore.passwordKey }}
- name: KAFKA_SSL_TRUSTSTORE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.kafkaTruststore.secretName }}
      key: {{ . }}
{{- end }}
{{- end }}
{{- end }}

{{/* The SASL credentials as data of a Secret the chart creates; required with a SASL_ protocol. */}}
{{- define "mailer.kafkaSaslSecretData" -}}
{{- $s := .Values.secrets }}
{{- $protocol := .Values.config.kafkaSecurityProtocol }}
{{ $s.keys.kafkaSaslUsername }}: {{ required (printf "secrets.kafkaSaslUsername is required with config.kafkaSecurityProtocol=%s" $protocol) $s.kafkaSaslUsername | b64enc | quote }}
{{ $s.keys.kafkaSaslPassword }}: {{ required (printf "secrets.kafkaSaslPassword is required with config.kafkaSecurityProtocol=%s" $protocol) $s.kafkaSaslPassword | b64enc | quote }}
{{- end }}

{{/*
A file from a Secret the operator created (a CA certificate), as a read-only volume holding only
that key, mounted at /etc/mailer/<name>/<key>: (dict "name" "postgres-ca" "file" .Values.postgresRootCert).
A volume, not a copy: the root filesystem is read-only, and a rotated Secret reaches the pod.
*/}}
{{- define "mailer.secretFileVolume" -}}
{{- with .file.secretName }}
- name: {{ $.name }}
  secret:
    secretName: {{ . }}
    items:
      - key: {{ $.file.key }}
        path: {{ $.file.key }}
{{- end }}
{{- end }}

{{/* The mount of mailer.secretFileVolume (same arguments). */}}
{{- define "mailer.secretFileMount" -}}
{{- if .file.secretName }}
- name: {{ .name }}
  mountPath: /etc/mailer/{{ .name }}
  readOnly: true
{{- end }}
{{- end }}

{{/*
The values no pod can start without, checked at render time so a missing one fails `helm install`
with its name instead of pods exiting with code 2: DATABASE_URL (ingress, feedback) and
SQS_QUEUE_URL (feedback). Included by the ConfigMap, which every render has.
*/}}
{{- define "mailer.requiredValues" -}}
{{- if and (or .Values.ingress.enabled .Values.feedback.enabled .Values.webhook.enabled) (not .Values.secrets.existingSecret) }}
{{- $_ := required "DATABASE_URL: set secrets.databaseUrl (postgres://user:pass@host:5432/db) or secrets.existingSecret (a Secret holding the key secrets.keys.databaseUrl)" .Values.secrets.databaseUrl }}
{{- end }}
{{- if .Values.feedback.enabled }}
{{- $_ := required "SQS_QUEUE_URL: set config.sqsQueueUrl (the queue SNS delivers SES events to, https://sqs.<region>.amazonaws.com/<account>/<queue>)" (.Values.config.sqsQueueUrl | default (get .Values.config.extraEnv "SQS_QUEUE_URL")) }}
{{- end }}
{{- end }}

{{/* "true" when a KEDA ScaledObject scales the component (it then replaces the HPA): (dict "root" $ "component" "dispatcher"). */}}
{{- define "mailer.kedaScales" -}}
{{- if and .root.Values.keda.enabled (hasKey .root.Values.keda .component) }}
{{- if (index .root.Values.keda .component).enabled }}true{{ end }}
{{- end }}
{{- end }}

{{/* The kafka trigger's security metadata (KEDA's names), nothing with PLAINTEXT. */}}
{{- define "mailer.kedaKafkaSecurity" -}}
{{- $protocol := .Values.config.kafkaSecurityProtocol | default "PLAINTEXT" }}
{{- if include "mailer.kafkaSasl" . }}
{{- $mechanism := .Values.config.kafkaSaslMechanism | default "SCRAM-SHA-512" }}
sasl: {{ get (dict "SCRAM-SHA-512" "scram_sha512" "SCRAM-SHA-256" "scram_sha256" "PLAIN" "plaintext") $mechanism | quote }}
{{- end }}
{{- if has $protocol (list "SSL" "SASL_SSL") }}
tls: enable
{{- end }}
{{- end }}
