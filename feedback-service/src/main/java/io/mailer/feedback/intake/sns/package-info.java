/** The SNS edge: whether an SNS envelope is authentic (its signature and signing certificate). */
package io.mailer.feedback.intake.sns;
