package io.mailer.schemas.events;

/**
 * How a message sent through SES carries its send back to Mailer: the dispatcher writes these
 * EmailTags (configuration-set events return them) and headers (identity notifications carry no
 * tags, only the headers), the feedback service reads them from SES's events.
 */
public final class SesCorrelation {

    public static final String TAG_SEND_ID = "mailer_send_id";
    public static final String TAG_BATCH_ID = "mailer_batch_id";
    public static final String TAG_TENANT = "mailer_tenant";
    public static final String HEADER_SEND_ID = "X-Mailer-Send-Id";
    public static final String HEADER_BATCH_ID = "X-Mailer-Batch-Id";
    public static final String HEADER_TENANT = "X-Mailer-Tenant";

    private SesCorrelation() {
    }
}
