package io.mailer.ctl;

import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

@Command(name = "keys", description = "API keys (admin scope): create, list, revoke.")
final class KeysCommand extends ApiCommand {

    @Command(name = "create", description = "Create a key; the key itself is shown only now.")
    int create(@Option(names = "--name", description = "A name for people.") String name,
            @Option(names = "--scope", split = ",", required = true,
                    description = "Scopes, e.g. send,read (repeatable or comma-separated).") List<String> scopes,
            @Option(names = "--tenant", description = "Tenant (operator admins; default: the key's own).") String tenant) {
        ObjectNode body = Json.object();
        if (name != null) {
            body.put("name", name);
        }
        scopes.forEach(body.putArray("scopes")::add);
        if (tenant != null) {
            body.put("tenantId", tenant);
        }
        JsonNode created = api().post("/api-keys", body);
        out().printf("id:  %s%nkey: %s%n(store the key now: it is not shown again)%n", Json.text(created, "id"), Json.text(created, "key"));
        return MailerCtl.OK;
    }

    @Command(name = "list", description = "Keys: id, prefix, name, tenant, scopes, created, last used, revoked.")
    int list() {
        JsonNode keys = api().get("/api-keys");
        JsonNode items = keys.isArray() ? keys : keys.path("items");
        out().printf("%-28s %-14s %-16s %-10s %-22s %-24s %s%n", "ID", "PREFIX", "NAME", "TENANT", "SCOPES", "LAST USED", "REVOKED");
        for (JsonNode k : items) {
            StringBuilder scopes = new StringBuilder();
            k.path("scopes").forEach(s -> scopes.append(scopes.isEmpty() ? "" : ",").append(s.asString()));
            out().printf("%-28s %-14s %-16s %-10s %-22s %-24s %s%n", Json.text(k, "id"), Json.text(k, "prefix"), Json.text(k, "name"),
                    Json.text(k, "tenantId"), scopes, Json.text(k, "lastUsedAt"), Json.text(k, "revokedAt"));
        }
        return MailerCtl.OK;
    }

    @Command(name = "revoke", description = "Revoke key ID (at once).")
    int revoke(@Parameters(paramLabel = "ID") String id) {
        api().delete("/api-keys/" + Paths.segment(id));
        out().printf("revoked %s%n", id);
        return MailerCtl.OK;
    }
}
