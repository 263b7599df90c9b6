package io.mailer.ctl;

import java.io.PrintWriter;
import java.util.List;

/** One doctor finding: what was checked, what was found and, when it is not OK, the fix. */
record Check(Status status, String name, String detail, String fix) {

    enum Status { OK, WARN, FAIL }

    static Check ok(String name, String detail) {
        return new Check(Status.OK, name, detail, null);
    }

    static Check warn(String name, String detail, String fix) {
        return new Check(Status.WARN, name, detail, fix);
    }

    static Check fail(String name, String detail, String fix) {
        return new Check(Status.FAIL, name, detail, fix);
    }

    void print(PrintWriter out) {
        out.printf("%-5s %-40s %s%n", status, name, detail);
        if (fix != null) {
            for (String line : fix.split("\n")) {
                out.printf("      fix: %s%n", line);
            }
        }
    }

    /** The summary line; exit 1 when anything failed. */
    static int summarize(List<Check> checks, PrintWriter out) {
        long failed = checks.stream().filter(c -> c.status == Status.FAIL).count();
        long warned = checks.stream().filter(c -> c.status == Status.WARN).count();
        out.printf("%n%d checks: %d failed, %d warnings%n", checks.size(), failed, warned);
        return failed > 0 ? MailerCtl.FAILED : MailerCtl.OK;
    }
}
