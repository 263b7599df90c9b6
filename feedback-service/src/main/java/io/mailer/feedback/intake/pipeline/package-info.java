/**
 * One SQS message from body to Kafka — read, map, apply the soft-bounce policy, publish or
 * quarantine — and the wiring of the edges into it. The only intake package that depends on the
 * others.
 */
package io.mailer.feedback.intake.pipeline;
