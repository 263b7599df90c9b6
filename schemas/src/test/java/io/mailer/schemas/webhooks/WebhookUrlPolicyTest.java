package io.mailer.schemas.webhooks;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SSRF rules with a stub resolver: what a name resolves to decides, every address counts. */
class WebhookUrlPolicyTest {

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    static final Map<String, InetAddress[]> DNS = Map.of(
            "public.example", new InetAddress[] {ip("93.184.215.14")},
            "rebound.example", new InetAddress[] {ip("93.184.215.14"), ip("10.0.0.7")},
            "metadata.example", new InetAddress[] {ip("169.254.169.254")},
            "dev.local", new InetAddress[] {ip("127.0.0.1")},
            "v6-ula.example", new InetAddress[] {ip("fd12:3456::1")});

    static WebhookUrlPolicy policy(boolean http, String allowed) {
        return new WebhookUrlPolicy(http, allowed, host -> {
            InetAddress[] a = DNS.get(host);
            if (a == null) {
                if (host.matches("[0-9.:a-fA-F]+")) {
                    return new InetAddress[] {ip(host)};
                }
                throw new UnknownHostException(host);
            }
            return a;
        });
    }

    @Test
    void shouldAcceptAnHttpsUrlResolvingToPublicAddressesOnly() {
        assertThat(policy(false, "").check("https://public.example/hooks?x=1")).isNull();
    }

    @Test
    void shouldRefuseANameWithAnyPrivateAddressAmongItsRecords() {
        assertThat(policy(false, "").check("https://rebound.example/h")).satisfies(r -> {
            assertThat(r.rule()).isEqualTo("public-address");
            assertThat(r.message()).contains("10.0.0.7, a private address");
        });
    }

    @Test
    void shouldRefuseLinkLocalMetadataAndUniqueLocalTargets() {
        assertThat(policy(false, "").check("https://metadata.example/latest").message()).contains("link-local");
        assertThat(policy(false, "").check("https://v6-ula.example/").message()).contains("unique-local");
    }

    @Test
    void shouldAllowHttpAndAllowlistedNetworksOnlyWhenTheOperatorSaysSo() {
        assertThat(policy(false, "").check("http://public.example/").rule()).isEqualTo("https-only");
        assertThat(policy(true, "").check("http://public.example/")).isNull();
        assertThat(policy(true, "").check("http://dev.local:8080/").rule()).isEqualTo("public-address");
        assertThat(policy(true, "127.0.0.0/8, 10.0.0.0/8").check("http://dev.local:8080/")).isNull();
        assertThat(policy(true, "127.0.0.1/32").check("http://127.0.0.2/").rule()).isEqualTo("public-address");
    }

    @Test
    void shouldRefuseUnresolvableHostsCredentialsAndFragments() {
        assertThat(policy(false, "").check("https://nowhere.example/").rule()).isEqualTo("resolvable-host");
        assertThat(policy(false, "").check("https://a:b@public.example/").rule()).isEqualTo("no-credentials");
        assertThat(policy(false, "").check("https://public.example/#x").rule()).isEqualTo("no-fragment");
        assertThat(policy(false, "").check("").rule()).isEqualTo("required");
    }

    @Test
    void shouldValidateTheAllowlistSetting() {
        assertThat(WebhookUrlPolicy.networksProblem("127.0.0.1/32,10.0.0.0/8,fd00::/8")).isNull();
        assertThat(WebhookUrlPolicy.networksProblem("localhost")).contains("CIDR");
        assertThat(WebhookUrlPolicy.networksProblem("10.0.0.0/40")).contains("prefix length");
    }
}
