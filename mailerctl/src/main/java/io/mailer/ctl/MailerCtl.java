package io.mailer.ctl;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code mailerctl}: the Mailer API and an AWS account's SES setup from a terminal. The API options
 * are inherited by every subcommand ({@code mailerctl send --url …} and {@code mailerctl --url … send}
 * both work); {@link Config} resolves them against the environment and a profile file.
 */
@Command(name = "mailerctl", mixinStandardHelpOptions = true, version = "mailerctl 0.1.0",
        description = "Command-line client of Mailer.",
        subcommands = {SendCommand.class, StatusCommand.class, BatchesCommand.class, EventsCommand.class,
                SuppressionsCommand.class, KeysCommand.class, DlqCommand.class, DoctorCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:the API refused or failed, a batch ended CANCELLED or with failed recipients, "
                + "or a doctor check failed", "2:bad input (options, files, configuration)"})
public final class MailerCtl {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    @Option(names = "--url", scope = ScopeType.INHERIT, paramLabel = "URL",
            description = "Ingress base URL (env MAILER_URL; profile key url).")
    String url;

    @Option(names = "--api-key", scope = ScopeType.INHERIT, paramLabel = "KEY",
            description = "API key (env MAILER_API_KEY; profile key api-key).")
    String apiKey;

    @Option(names = "--profile", scope = ScopeType.INHERIT, paramLabel = "NAME",
            description = "Profile of the profile file (env MAILER_PROFILE; default: default).")
    String profile;

    final Map<String, String> env;
    final boolean tty;

    private int columns;

    MailerCtl(Map<String, String> env, boolean tty) {
        this.env = env;
        this.tty = tty;
    }

    /** The terminal's width for the bars (asked once, only when a bar is drawn on a terminal). */
    int columns() {
        if (columns == 0) {
            columns = tty ? Terminal.columns(env) : Terminal.DEFAULT_COLUMNS;
        }
        return columns;
    }

    public static void main(String[] args) {
        System.exit(run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), System.getenv(),
                Terminal.isTerminal(), args));
    }

    /** The whole CLI with its streams and environment given: tests run it in-process. */
    public static int run(PrintWriter out, PrintWriter err, Map<String, String> env, boolean tty, String... args) {
        CommandLine cli = new CommandLine(new MailerCtl(env, tty));
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("mailerctl: " + Failures.describe(e));
            commandLine.getErr().flush();
            return Failures.exitCode(e);
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    Config config() {
        return Config.resolve(url, apiKey, profile, env, profileFile());
    }

    /** MAILERCTL_CONFIG, else ~/.config/mailerctl/config.properties. */
    Path profileFile() {
        String explicit = env.get("MAILERCTL_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".config", "mailerctl", "config.properties");
    }
}
