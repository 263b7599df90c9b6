package io.mailer.dispatcher.ses;

import io.mailer.dispatcher.ratelimit.RatePermit;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * Releases a call's rate permit the moment SES's HTTP answer arrives, before the SDK unmarshals it
 * and hands it to our callbacks: the call window counts a call for one second after a moment derived
 * from its answer, so every millisecond between the answer and the release is rate left unused; and
 * tells the permit when the request goes out. Our own completion
 * callback releases it too (releasing twice is harmless), e.g. when no answer came at all.
 */
public final class AnswerTimeInterceptor implements ExecutionInterceptor {

    /** The permit of the call, put on the request by the send processors. */
    public static final ExecutionAttribute<RatePermit> PERMIT = new ExecutionAttribute<>("mailer.ratePermit");

    /** The moment the request goes out: the call window's bound on SES's arrival counts from here. */
    @Override
    public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
        RatePermit permit = attributes.getAttribute(PERMIT);
        if (permit != null) {
            permit.transmitting();
        }
    }

    @Override
    public void afterTransmission(Context.AfterTransmission context, ExecutionAttributes attributes) {
        RatePermit permit = attributes.getAttribute(PERMIT);
        if (permit != null) {
            permit.release();
        }
    }
}
