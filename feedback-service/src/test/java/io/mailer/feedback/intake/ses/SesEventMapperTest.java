package io.mailer.feedback.intake.ses;

import static io.mailer.feedback.intake.Fixtures.BATCH_ID;
import static io.mailer.feedback.intake.Fixtures.EMAIL;
import static io.mailer.feedback.intake.Fixtures.RECIPIENT_INDEX;
import static io.mailer.feedback.intake.Fixtures.SEND_ID;
import static io.mailer.feedback.intake.Fixtures.SES_MESSAGE_ID;
import static io.mailer.feedback.intake.Fixtures.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import io.mailer.feedback.intake.Fixtures;
import io.mailer.feedback.intake.IntakeOutcome;
import io.mailer.feedback.intake.QuarantineReason;
import io.mailer.schemas.events.DeliveryEvent;
import io.mailer.schemas.events.EventType;
import io.mailer.schemas.events.Ids;
import io.mailer.schemas.events.Suppression;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every SES type in the fixtures, both formats, mapped to the exact records the intake publishes. */
class SesEventMapperTest {

    private final SesEventMapper mapper = new SesEventMapper(BouncePolicy.SES_CLASSIFICATION);

    private IntakeOutcome map(String fixture) {
        return mapper.map(new SesNotification(Fixtures.json(fixture), null, null));
    }

    private static DeliveryEvent event(String sesType, EventType type, String at, String reason,
            Map<String, String> details) {
        return new DeliveryEvent(Ids.sesEventId(SES_MESSAGE_ID, sesType, EMAIL), type, SEND_ID, BATCH_ID, TENANT,
                RECIPIENT_INDEX, EMAIL, Instant.parse(at), SES_MESSAGE_ID, reason, details);
    }

    private static IntakeOutcome.Publish publish(String sesType, DeliveryEvent event, Suppression... suppressions) {
        return new IntakeOutcome.Publish(sesType, List.of(event), List.of(suppressions));
    }

    @ParameterizedTest
    @ValueSource(strings = {"configuration-set/bounce-permanent.json", "identity/bounce-permanent.json"})
    void shouldMapPermanentBounceToBouncedEventAndBounceSuppression(String fixture) {
        // Given a permanent bounce (tags in the configuration-set format, headers in the identity format)
        // When it is mapped
        IntakeOutcome outcome = map(fixture);
        // Then one BOUNCED event with the bounce details, and a suppression pointing at it
        DeliveryEvent bounced = event("Bounce", EventType.BOUNCED, "2026-11-20T10:00:02.669Z", "Permanent/General",
                Map.of("bounceType", "Permanent", "bounceSubType", "General",
                        "feedbackId", "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
                        "diagnosticCode", "smtp; 550 5.1.1 user unknown", "status", "5.1.1", "action", "failed"));
        assertThat(outcome).isEqualTo(publish("Bounce", bounced, new Suppression(TENANT, EMAIL,
                Suppression.Reason.BOUNCE, bounced.eventId(), Instant.parse("2026-11-20T10:00:02.669Z"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"configuration-set/bounce-transient.json", "identity/bounce-transient.json"})
    void shouldMapTransientBounceToSoftBounceWithoutSuppression(String fixture) {
        assertThat(map(fixture)).isEqualTo(publish("Bounce", event("Bounce", EventType.SOFT_BOUNCED,
                "2026-11-20T10:00:03.000Z", "Transient/MailboxFull",
                Map.of("bounceType", "Transient", "bounceSubType", "MailboxFull",
                        "feedbackId", "01000157c44f053b-transient-000000",
                        "diagnosticCode", "smtp; 452 4.2.2 mailbox full", "status", "4.2.2", "action", "failed"))));
    }

    @Test
    void shouldMapUndeterminedBounceToSoftBounceWithoutSuppression() {
        assertThat(map("configuration-set/bounce-undetermined.json")).isEqualTo(publish("Bounce", event("Bounce",
                EventType.SOFT_BOUNCED, "2026-11-20T10:00:04.000Z", "Undetermined/Undetermined",
                Map.of("bounceType", "Undetermined", "bounceSubType", "Undetermined",
                        "feedbackId", "01000157c44f053b-undetermined-000000"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"configuration-set/complaint.json", "identity/complaint.json"})
    void shouldMapComplaintToComplainedEventAndComplaintSuppression(String fixture) {
        DeliveryEvent complained = event("Complaint", EventType.COMPLAINED, "2026-11-20T11:00:00.000Z", "abuse",
                Map.of("complaintFeedbackType", "abuse", "feedbackId", "0100015e8b8a6a2c-complaint-000000",
                        "userAgent", "Mozilla/5.0"));
        assertThat(map(fixture)).isEqualTo(publish("Complaint", complained, new Suppression(TENANT, EMAIL,
                Suppression.Reason.COMPLAINT, complained.eventId(), Instant.parse("2026-11-20T11:00:00.000Z"))));
    }

    @ParameterizedTest
    @ValueSource(strings = {"configuration-set/delivery.json", "identity/delivery.json"})
    void shouldMapDeliveryToDeliveredEventOnlyNeverABounce(String fixture) {
        assertThat(map(fixture)).isEqualTo(publish("Delivery", event("Delivery", EventType.DELIVERED,
                "2026-11-20T10:00:01.500Z", null, Map.of("smtpResponse", "250 2.6.0 Message received",
                        "processingTimeMillis", "1500", "reportingMTA", "a8-70.smtp-out.amazonses.com"))));
    }

    @Test
    void shouldMapSendToSesAcceptedPerDestination() {
        assertThat(map("configuration-set/send.json")).isEqualTo(publish("Send",
                event("Send", EventType.SES_ACCEPTED, "2026-11-20T10:00:00.000Z", null, Map.of())));
    }

    @Test
    void shouldMapRejectToRejectedWithItsReason() {
        assertThat(map("configuration-set/reject.json")).isEqualTo(publish("Reject",
                event("Reject", EventType.REJECTED, "2026-11-20T10:00:00.000Z", "Bad content", Map.of())));
    }

    @Test
    void shouldMapDeliveryDelayToDeliveryDelayed() {
        assertThat(map("configuration-set/delivery-delay.json")).isEqualTo(publish("DeliveryDelay",
                event("DeliveryDelay", EventType.DELIVERY_DELAYED, "2026-11-20T10:30:00.000Z",
                        "TransientCommunicationFailure", Map.of("delayType", "TransientCommunicationFailure",
                                "expirationTime", "2026-11-21T10:00:00.000Z", "status", "4.4.1",
                                "diagnosticCode", "smtp; 421 4.4.1 Unable to connect"))));
    }

    @Test
    void shouldMapOpenToOpened() {
        assertThat(map("configuration-set/open.json")).isEqualTo(publish("Open", event("Open", EventType.OPENED,
                "2026-11-20T12:00:00.000Z", null, Map.of("ipAddress", "192.0.2.1", "userAgent", "Mozilla/5.0 (iPhone)"))));
    }

    @Test
    void shouldMapClickToClickedWithTheLink() {
        assertThat(map("configuration-set/click.json")).isEqualTo(publish("Click", event("Click", EventType.CLICKED,
                "2026-11-20T12:01:00.000Z", null, Map.of("link", "https://acme.example/offer",
                        "ipAddress", "192.0.2.1", "userAgent", "Mozilla/5.0 (iPhone)"))));
    }

    @Test
    void shouldMapRenderingFailureToRenderingFailed() {
        assertThat(map("configuration-set/rendering-failure.json")).isEqualTo(publish("Rendering Failure",
                event("Rendering Failure", EventType.RENDERING_FAILED, "2026-11-20T10:00:00.000Z",
                        "Attribute 'attributeName' is not present in the rendering data.",
                        Map.of("templateName", "MyTemplate"))));
    }

    @Test
    void shouldMapOptOutSubscriptionToUnsubscribedEventAndUnsubscribeSuppression() {
        DeliveryEvent unsubscribed = event("Subscription", EventType.UNSUBSCRIBED, "2026-11-20T13:00:00.000Z",
                "unsubscribeAll",
                Map.of("contactList", "Newsletter", "source", "UnsubscribeHeader", "unsubscribeAll", "true"));
        assertThat(map("configuration-set/subscription.json")).isEqualTo(publish("Subscription", unsubscribed,
                new Suppression(TENANT, EMAIL, Suppression.Reason.UNSUBSCRIBE, unsubscribed.eventId(),
                        Instant.parse("2026-11-20T13:00:00.000Z"))));
    }

    @Test
    void shouldIgnoreOptInSubscription() {
        assertThat(map("configuration-set/subscription-opt-in.json"))
                .isEqualTo(new IntakeOutcome.Ignore("Subscription without opt-out"));
    }

    @Test
    void shouldIgnoreSesTopicSubscriptionSucceededNotice() {
        assertThat(map("identity/subscription-succeeded.json"))
                .isEqualTo(new IntakeOutcome.Ignore("AmazonSnsSubscriptionSucceeded"));
    }

    @Test
    void shouldMapEveryRecipientOfOneNotification() {
        IntakeOutcome.Publish outcome = (IntakeOutcome.Publish) map("configuration-set/bounce-two-recipients.json");
        assertThat(outcome.events()).extracting(DeliveryEvent::email, DeliveryEvent::type, DeliveryEvent::eventId)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(EMAIL, EventType.BOUNCED,
                                Ids.sesEventId(SES_MESSAGE_ID, "Bounce", EMAIL)),
                        org.assertj.core.groups.Tuple.tuple("second@example.com", EventType.BOUNCED,
                                Ids.sesEventId(SES_MESSAGE_ID, "Bounce", "second@example.com")));
        assertThat(outcome.suppressions()).extracting(Suppression::key)
                .containsExactly("acme|recipient@example.com", "acme|second@example.com");
    }

    @Test
    void shouldGiveTheSameEventIdsInBothFormatsSoDuplicatesCollapse() {
        assertThat(map("identity/bounce-permanent.json")).isEqualTo(map("configuration-set/bounce-permanent.json"));
        assertThat(map("identity/complaint.json")).isEqualTo(map("configuration-set/complaint.json"));
        assertThat(map("identity/delivery.json")).isEqualTo(map("configuration-set/delivery.json"));
    }

    @Test
    void shouldQuarantineMailWithoutMailerTagsOrHeadersAsUnmappable() {
        IntakeOutcome outcome = map("configuration-set/bounce-untagged.json");
        assertThat(outcome).isInstanceOf(IntakeOutcome.Quarantine.class);
        assertThat(((IntakeOutcome.Quarantine) outcome).reason()).isEqualTo(QuarantineReason.UNMAPPABLE);
    }

    @Test
    void shouldCorrelateUntaggedMailThroughTheSentRecordsOfItsSesMessageId() {
        // Given no tags and no headers, but a SENT record of this SES message id
        SesEventMapper withSentRecords = new SesEventMapper(BouncePolicy.SES_CLASSIFICATION, (sesMessageId, at) ->
                SES_MESSAGE_ID.equals(sesMessageId)
                        ? new SendLookup.Result.Found(new Correlation(SEND_ID, BATCH_ID, TENANT, RECIPIENT_INDEX))
                        : SendLookup.Result.NOT_FOUND);
        // When mapped / Then the same records as for the tagged bounce
        IntakeOutcome untagged = withSentRecords.map(
                new SesNotification(Fixtures.json("configuration-set/bounce-untagged.json"), null, null));
        assertThat(untagged).isEqualTo(map("configuration-set/bounce-permanent.json"));
    }

    @Test
    void shouldRetryWhileTheSentRecordMayStillBeProjected() {
        SesEventMapper pending = new SesEventMapper(BouncePolicy.SES_CLASSIFICATION,
                (sesMessageId, at) -> new SendLookup.Result.Pending("not projected yet"));
        SesNotification untagged = new SesNotification(Fixtures.json("configuration-set/bounce-untagged.json"),
                null, null);
        assertThat(pending.map(untagged)).isEqualTo(new IntakeOutcome.Retry("not projected yet"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"configuration-set/unknown-type.json", "identity/received.json"})
    void shouldQuarantineTypesSesDoesNotDefineForEvents(String fixture) {
        IntakeOutcome outcome = map(fixture);
        assertThat(outcome).isInstanceOf(IntakeOutcome.Quarantine.class);
        assertThat(((IntakeOutcome.Quarantine) outcome).reason()).isEqualTo(QuarantineReason.UNKNOWN_TYPE);
    }

    @Test
    void shouldDispatchOnTheTypeFieldNotOnWhichObjectsArePresent() {
        // Given a Delivery that also carries a stray bounce object (new fields appear; ignore them)
        var ses = (tools.jackson.databind.node.ObjectNode) Fixtures.json("configuration-set/delivery.json");
        ses.set("bounce", Fixtures.json("configuration-set/bounce-permanent.json").path("bounce"));
        // When mapped / Then it is a delivery, and nothing is suppressed
        IntakeOutcome.Publish outcome = (IntakeOutcome.Publish) mapper.map(new SesNotification(ses, null, null));
        assertThat(outcome.events()).extracting(DeliveryEvent::type).containsExactly(EventType.DELIVERED);
        assertThat(outcome.suppressions()).isEmpty();
    }
}
