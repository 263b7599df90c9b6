package io.mailer.feedback.intake;

/**
 * Decides which bounces are permanent (BOUNCED + suppression) and which are soft (SOFT_BOUNCED,
 * event only). The seam for a later transient-bounce policy (e.g. N soft bounces in M days).
 */
@FunctionalInterface
interface BouncePolicy {

    /** SES's own classification: only {@code Permanent} is permanent; Transient and Undetermined are soft. */
    BouncePolicy SES_CLASSIFICATION = (bounceType, bounceSubType) -> "Permanent".equals(bounceType);

    boolean isPermanent(String bounceType, String bounceSubType);
}
