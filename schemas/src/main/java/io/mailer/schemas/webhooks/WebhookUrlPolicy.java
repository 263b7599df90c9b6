package io.mailer.schemas.webhooks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where a webhook may point (SSRF guard), applied by ingress when a URL is set and by the relay
 * before every request: https only (http when the operator sets {@code WEBHOOK_ALLOW_HTTP}), no
 * credentials or fragment in the URL, and every address the host resolves to must be public —
 * loopback, private (RFC 1918, unique-local), link-local (cloud metadata), carrier-grade NAT,
 * unspecified, multicast and reserved ranges are refused unless inside an operator-allowlisted
 * network ({@code WEBHOOK_ALLOWED_NETWORKS}, CIDRs). All resolved addresses are checked, not the
 * first, so a name with one public and one private record is refused.
 */
public final class WebhookUrlPolicy {

    /** Why a URL is refused: the rule's stable name and a sentence for the API answer. */
    public record Refusal(String rule, String message) {
    }

    /** A resolver seam for tests; production uses the system resolver. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final boolean allowHttp;
    private final List<Cidr> allowed;
    private final Resolver resolver;

    public WebhookUrlPolicy(boolean allowHttp, String allowedNetworks) {
        this(allowHttp, allowedNetworks, InetAddress::getAllByName);
    }

    public WebhookUrlPolicy(boolean allowHttp, String allowedNetworks, Resolver resolver) {
        this.allowHttp = allowHttp;
        this.allowed = parseNetworks(allowedNetworks);
        this.resolver = resolver;
    }

    /** A settings check for {@code WEBHOOK_ALLOWED_NETWORKS}. */
    public static String networksProblem(String value) {
        try {
            parseNetworks(value);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /** The refusal of a URL, or null when it may be used now. Resolves the host (blocking). */
    public Refusal check(String url) {
        Refusal syntax = checkSyntax(url);
        if (syntax != null) {
            return syntax;
        }
        String host = host(URI.create(url.trim()));
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            return new Refusal("resolvable-host", "host '" + host + "' does not resolve");
        }
        if (addresses.length == 0) {
            return new Refusal("resolvable-host", "host '" + host + "' does not resolve");
        }
        for (InetAddress a : addresses) {
            String kind = nonPublicKind(a);
            if (kind != null && allowed.stream().noneMatch(c -> c.contains(a))) {
                return new Refusal("public-address", "host '" + host + "' resolves to " + a.getHostAddress() + ", a " + kind
                        + " address; only public addresses are allowed (an operator can allowlist networks with WEBHOOK_ALLOWED_NETWORKS)");
            }
        }
        return null;
    }

    /** The checks that need no DNS. */
    public Refusal checkSyntax(String url) {
        if (url == null || url.isBlank()) {
            return new Refusal("required", "is required");
        }
        if (url.length() > 2048) {
            return new Refusal("max-length", "is longer than 2048 characters");
        }
        URI uri;
        try {
            uri = new URI(url.trim());
        } catch (URISyntaxException e) {
            return new Refusal("url-syntax", "is not a valid URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowHttp && scheme.equals("http"))) {
            return new Refusal("https-only", allowHttp ? "must be an http or https URL" : "must be an https URL"
                    + (scheme.equals("http") ? " (http is allowed only when the operator sets WEBHOOK_ALLOW_HTTP=true)" : ""));
        }
        if (uri.getRawUserInfo() != null) {
            return new Refusal("no-credentials", "must not contain credentials (user:password@)");
        }
        if (host(uri) == null || host(uri).isBlank()) {
            return new Refusal("url-syntax", "must name a host");
        }
        if (uri.getRawFragment() != null) {
            return new Refusal("no-fragment", "must not contain a fragment (#...)");
        }
        return null;
    }

    private static String host(URI uri) {
        String h = uri.getHost();
        if (h != null && h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h;
    }

    /** The kind of non-public address, or null for a public one. */
    static String nonPublicKind(InetAddress a) {
        if (a instanceof Inet6Address v6) {
            byte[] b = v6.getAddress();
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return nonPublicKind(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return "malformed";
                }
            }
            if ((b[0] & 0xfe) == 0xfc) {
                return "private (unique-local)";
            }
        }
        if (a.isLoopbackAddress()) {
            return "loopback";
        }
        if (a.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (a.isLinkLocalAddress()) {
            return "link-local";
        }
        if (a.isSiteLocalAddress()) {
            return "private";
        }
        if (a.isMulticastAddress()) {
            return "multicast";
        }
        if (a instanceof Inet4Address) {
            int b0 = a.getAddress()[0] & 0xff;
            int b1 = a.getAddress()[1] & 0xff;
            if (b0 == 0) {
                return "unspecified";
            }
            if (b0 == 100 && b1 >= 64 && b1 <= 127) {
                return "carrier-grade NAT";
            }
            if (b0 >= 240 || (b0 == 192 && b1 == 0 && (a.getAddress()[2] & 0xff) == 0) || (b0 == 198 && (b1 == 18 || b1 == 19))) {
                return "reserved";
            }
        }
        return null;
    }

    private static List<Cidr> parseNetworks(String value) {
        List<Cidr> list = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return list;
        }
        for (String part : value.split(",")) {
            String p = part.trim();
            if (!p.isEmpty()) {
                list.add(Cidr.parse(p));
            }
        }
        return List.copyOf(list);
    }

    record Cidr(byte[] network, int bits) {

        static Cidr parse(String s) {
            int slash = s.indexOf('/');
            String addr = slash < 0 ? s : s.substring(0, slash);
            if (!addr.matches("[0-9a-fA-F:.]+")) {
                throw new IllegalArgumentException("must be comma-separated IP networks (CIDR), got '" + s + "'");
            }
            try {
                byte[] bytes = InetAddress.getByName(addr).getAddress();
                int bits = slash < 0 ? bytes.length * 8 : Integer.parseInt(s.substring(slash + 1));
                if (bits < 0 || bits > bytes.length * 8) {
                    throw new IllegalArgumentException("has a prefix length out of range in '" + s + "'");
                }
                return new Cidr(bytes, bits);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException("must be comma-separated IP networks (CIDR), got '" + s + "'");
            }
        }

        boolean contains(InetAddress a) {
            byte[] b = a.getAddress();
            if (b.length != network.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((b[i / 8] & mask) != (network[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
