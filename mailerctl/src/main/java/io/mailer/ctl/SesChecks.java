package io.mailer.ctl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.services.sesv2.SesV2Client;
import software.amazon.awssdk.services.sesv2.model.GetAccountResponse;
import software.amazon.awssdk.services.sesv2.model.GetEmailIdentityResponse;
import software.amazon.awssdk.services.sesv2.model.NotFoundException;

/** The SES account (GetAccount) and the sending identities (GetEmailIdentity): read-only. */
final class SesChecks {

    private final SesV2Client ses;

    SesChecks(SesV2Client ses) {
        this.ses = ses;
    }

    List<Check> account() {
        GetAccountResponse a = ses.getAccount(b -> { });
        List<Check> checks = new ArrayList<>();
        checks.add(Boolean.TRUE.equals(a.productionAccessEnabled())
                ? Check.ok("account: production access", "enabled")
                : Check.fail("account: production access", "no — the SES sandbox: only verified recipients, 200 a day",
                        "request production access: SES console → Account dashboard → Request production access "
                                + "(aws sesv2 put-account-details --production-access-enabled …)"));
        checks.add(Boolean.TRUE.equals(a.sendingEnabled())
                ? Check.ok("account: sending", "enabled")
                : Check.fail("account: sending", "disabled — every send fails with SendingPausedException",
                        "aws sesv2 put-account-sending-attributes --sending-enabled (if SES paused it: see the "
                                + "enforcement status and the Virtual Deliverability Manager)"));
        String enforcement = String.valueOf(a.enforcementStatus());
        checks.add(switch (enforcement) {
            case "HEALTHY" -> Check.ok("account: enforcement status", enforcement);
            case "PROBATION" -> Check.warn("account: enforcement status", enforcement + " — bounce or complaint rate too high",
                    "lower the bounce/complaint rates (mailerctl suppressions, list hygiene) before SES shuts sending down");
            default -> Check.fail("account: enforcement status", enforcement, "contact AWS support about the account's sending status");
        });
        var q = a.sendQuota();
        String quota = String.format(Locale.ROOT, "%.0f/s, %.0f a day, %.0f sent in the last 24 h", q.maxSendRate(),
                q.max24HourSend(), q.sentLast24Hours());
        boolean nearQuota = q.max24HourSend() > 0 && q.sentLast24Hours() >= 0.8 * q.max24HourSend();
        checks.add(nearQuota
                ? Check.warn("account: quota", quota, "request a higher sending quota (Service Quotas → Amazon SES)")
                : Check.ok("account: quota", quota));
        return checks;
    }

    /**
     * One From address: it may send if the address or its domain is a verified identity; DKIM is
     * checked on the identity that verifies it.
     */
    Check identity(String address) {
        String name = "identity: " + address;
        String domain = address.contains("@") ? address.substring(address.indexOf('@') + 1) : address;
        GetEmailIdentityResponse found = get(address);
        if ((found == null || !Boolean.TRUE.equals(found.verifiedForSendingStatus())) && !domain.equals(address)) {
            GetEmailIdentityResponse byDomain = get(domain);
            if (byDomain != null && Boolean.TRUE.equals(byDomain.verifiedForSendingStatus())) {
                found = byDomain;
            }
        }
        if (found == null) {
            return Check.fail(name, "not an identity of this account (neither the address nor " + domain + ")",
                    "aws sesv2 create-email-identity --email-identity " + domain + "  then publish the DKIM CNAME records it returns");
        }
        if (!Boolean.TRUE.equals(found.verifiedForSendingStatus())) {
            return Check.fail(name, "not verified (" + found.verificationStatusAsString() + ")",
                    "finish the verification of " + domain + ": aws sesv2 get-email-identity --email-identity " + domain
                            + " lists the DNS records to publish");
        }
        String dkim = found.dkimAttributes() == null ? "NOT_STARTED" : found.dkimAttributes().statusAsString();
        if (!"SUCCESS".equals(dkim)) {
            return Check.fail(name, "verified, DKIM " + dkim,
                    "publish the DKIM CNAME records of " + domain + " (aws sesv2 get-email-identity --email-identity " + domain + ")");
        }
        return Check.ok(name, "verified, DKIM SUCCESS");
    }

    private GetEmailIdentityResponse get(String identity) {
        try {
            return ses.getEmailIdentity(b -> b.emailIdentity(identity));
        } catch (NotFoundException e) {
            return null;
        }
    }
}
