package io.mailer.devstack.launcher;

import io.mailer.dispatcher.DispatcherApplication;
import io.mailer.feedback.FeedbackApplication;
import io.mailer.ingress.IngressApplication;
import io.mailer.topology.TopologyApplication;
import io.mailer.webhook.WebhookApplication;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The five services started side by side in one JVM, each with its own Spring context, port and
 * environment — exactly what runs as five separate jars in production. Used by the local launcher
 * and by the end-to-end tests, so the tests exercise what a developer runs.
 */
public final class MailerServices implements AutoCloseable {

    /** Ports of the local run; 0 picks a free port (tests). */
    public record Ports(int ingress, int topology, int dispatcher, int feedback, int webhook) {
        public static final Ports LOCAL = new Ports(3000, 3001, 3002, 3003, 3004);
        public static final Ports RANDOM = new Ports(0, 0, 0, 0, 0);
    }

    private final List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    private final List<String> names = new ArrayList<>();
    private ConfigurableApplicationContext ingress;

    private MailerServices() {
    }

    /** Starts the services in pipeline order: downstream first, so the API opens onto a working line. */
    public static MailerServices start(Map<String, String> env, Ports ports) {
        return start(env, ports, Steps.SILENT);
    }

    /** Each service's start and stop is a step; the local run prints them as its progress list. */
    public interface Steps {
        Steps SILENT = new Steps() {
        };

        default <T> T step(String label, Supplier<T> action) {
            return action.get();
        }
    }

    public static MailerServices start(Map<String, String> env, Ports ports, Steps progress) {
        MailerServices services = new MailerServices();
        try {
            services.add("feedback-service", FeedbackApplication::start, env, ports.feedback(), progress);
            services.add("webhook-service", WebhookApplication::start, env, ports.webhook(), progress);
            services.add("dispatcher-service", DispatcherApplication::start, env, ports.dispatcher(), progress);
            services.add("topology", TopologyApplication::start, env, ports.topology(), progress);
            services.ingress = services.add("ingress-service", IngressApplication::start, env, ports.ingress(), progress);
            return services;
        } catch (RuntimeException e) {
            services.close();
            throw e;
        }
    }

    private ConfigurableApplicationContext add(String name, Function<Map<String, String>, ConfigurableApplicationContext> starter,
            Map<String, String> env, int port, Steps progress) {
        Map<String, String> serviceEnv = new HashMap<>(env);
        serviceEnv.put("PORT", Integer.toString(port));
        ConfigurableApplicationContext ctx = progress.step(name, () -> starter.apply(serviceEnv));
        contexts.add(ctx);
        names.add(name);
        return ctx;
    }

    public int ingressPort() {
        return port(ingress);
    }

    public List<ConfigurableApplicationContext> contexts() {
        return List.copyOf(contexts);
    }

    public static int port(ConfigurableApplicationContext ctx) {
        return Integer.parseInt(ctx.getEnvironment().getProperty("local.server.port", "-1"));
    }

    /**
     * Stops the API first (no new work), then topology, dispatcher and webhook relay side by side
     * (each waits only for its own consumers and threads, a few seconds), the projector last (it
     * drains the events the others wrote).
     */
    @Override
    public void close() {
        close(Steps.SILENT);
    }

    /** As {@link #close()}, one step per stage. */
    public void close(Steps progress) {
        List<Integer> middle = new ArrayList<>();
        for (int i = contexts.size() - 1; i >= 0; i--) {
            String name = names.get(i);
            if (name.equals("ingress-service") || name.equals("feedback-service")) {
                continue;
            }
            middle.add(i);
        }
        closeStage(progress, List.of(names.indexOf("ingress-service")));
        closeStage(progress, middle);
        closeStage(progress, List.of(names.indexOf("feedback-service")));
        contexts.clear();
        names.clear();
    }

    private void closeStage(Steps progress, List<Integer> indexes) {
        List<Integer> present = indexes.stream().filter(i -> i >= 0).toList();
        if (present.isEmpty()) {
            return;
        }
        String label = String.join(", ", present.stream().map(names::get).toList());
        progress.step(label, () -> {
            List<Thread> threads = new ArrayList<>();
            for (int i : present) {
                ConfigurableApplicationContext ctx = contexts.get(i);
                Thread t = new Thread(() -> {
                    try {
                        ctx.close();
                    } catch (RuntimeException e) {
                        System.err.println("Error stopping a service: " + e);
                    }
                }, "stop-" + names.get(i));
                t.start();
                threads.add(t);
            }
            for (Thread t : threads) {
                try {
                    t.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
            return null;
        });
    }
}
