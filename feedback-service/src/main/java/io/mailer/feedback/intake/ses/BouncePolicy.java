package io.mailer.feedback.intake.ses;

/**
 * Decides which bounces are permanent (BOUNCED + suppression) and which are soft (SOFT_BOUNCED,
 * event only). The seam for a later transient-bounce policy (e.g. N soft bounces in M days).
 */
@FunctionalInterface
public interface BouncePolicy {

    /** SES's own classification: only {@code Permanent} is permanent; Transient and Undetermined are soft. */
    BouncePolicy SES_CLASSIFICATION = (bounceType, bounceSubType) -> "Permanent".equals(bounceType);

    boolean isPermanent(String bounceType, String bounceSubType);
}
