package io.mailer.topology.reputation;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;

/**
 * A {@link ReputationWindow.Bucket} as the JSON array {@code [start, sends, hardBounces, deliveries,
 * complaints]}, written and read without reflection; a bucket stored as an object (the first
 * format) is still read. Why: the stores hold up to 97 buckets per tenant and partition, read and
 * written for every counted event and every partial.
 */
final class BucketJson {

    private BucketJson() {
    }

    static final class Writer extends ValueSerializer<ReputationWindow.Bucket> {
        @Override
        public void serialize(ReputationWindow.Bucket b, JsonGenerator gen, SerializationContext ctxt) {
            gen.writeStartArray();
            gen.writeNumber(b.start);
            gen.writeNumber(b.sends);
            gen.writeNumber(b.hardBounces);
            gen.writeNumber(b.deliveries);
            gen.writeNumber(b.complaints);
            gen.writeEndArray();
        }
    }

    static final class Reader extends ValueDeserializer<ReputationWindow.Bucket> {
        @Override
        public ReputationWindow.Bucket deserialize(JsonParser p, DeserializationContext ctxt) {
            if (p.currentToken() == JsonToken.START_OBJECT) {
                return fromObject(p);
            }
            if (p.currentToken() != JsonToken.START_ARRAY) {
                return (ReputationWindow.Bucket) ctxt.handleUnexpectedToken(ReputationWindow.Bucket.class, p);
            }
            long[] v = new long[5];
            int i = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                if (i < v.length) {
                    v[i++] = p.getLongValue();
                }
            }
            return new ReputationWindow.Bucket(v[0], v[1], v[2], v[3], v[4]);
        }

        private static ReputationWindow.Bucket fromObject(JsonParser p) {
            ReputationWindow.Bucket b = new ReputationWindow.Bucket();
            for (String name = p.nextName(); name != null; name = p.nextName()) {
                p.nextToken();
                switch (name) {
                    case "start" -> b.start = p.getLongValue();
                    case "sends" -> b.sends = p.getLongValue();
                    case "hardBounces" -> b.hardBounces = p.getLongValue();
                    case "deliveries" -> b.deliveries = p.getLongValue();
                    case "complaints" -> b.complaints = p.getLongValue();
                    default -> p.skipChildren();
                }
            }
            return b;
        }
    }
}
