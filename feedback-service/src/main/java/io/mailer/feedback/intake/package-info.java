/**
 * The SQS intake of SES feedback. This package holds only what its sub-packages share — what a
 * message becomes ({@link io.mailer.feedback.intake.IntakeOutcome}, {@link
 * io.mailer.feedback.intake.QuarantineReason}), the settings and the metrics — and depends on none
 * of them, so no cycle can form:
 *
 * <ul>
 *   <li>{@code sqs}: the transport (receive loop, visibility heartbeat, batch deleter, the SQS clients);
 *   <li>{@code sns}: the authenticity of SNS envelopes (signature verification);
 *   <li>{@code ses}: reading an SQS body into an SES notification and mapping it to events;
 *   <li>{@code pipeline}: one message from body to Kafka, and the Spring wiring of the rest.
 * </ul>
 */
package io.mailer.feedback.intake;
