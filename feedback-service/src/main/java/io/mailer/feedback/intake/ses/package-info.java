/**
 * The SES edge: unwraps an SQS body (SNS envelope or raw delivery) into an SES notification, ties
 * it to the Mailer send it came from and maps it to delivery events and suppressions.
 */
package io.mailer.feedback.intake.ses;
