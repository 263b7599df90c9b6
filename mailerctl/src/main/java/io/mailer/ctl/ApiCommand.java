package io.mailer.ctl;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every command needs: the root's options and environment, the API, the output streams. */
abstract class ApiCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    MailerCtl root() {
        return (MailerCtl) spec.root().userObject();
    }

    Api api() {
        return new Api(root().config());
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    @Override
    public Integer call() throws Exception {
        // commands with subcommands only: no subcommand given
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing subcommand");
    }
}
