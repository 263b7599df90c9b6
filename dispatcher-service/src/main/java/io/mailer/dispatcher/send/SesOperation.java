package io.mailer.dispatcher.send;

import io.mailer.dispatcher.ratelimit.RatePermit;
import io.mailer.dispatcher.ses.AnswerTimeInterceptor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;

/**
 * How a group of sends becomes one SES request and how its answer maps to per-member results: the
 * difference between {@link SendEmailOperation} and {@link SendBulkEmailOperation}. Everything around
 * the call ({@link SesAttempts}) is the same for both.
 *
 * @param <P> a member's part of the request, built once when the send is prepared
 */
interface SesOperation<P> {

    /** The most members one call may carry. */
    int maxMembers();

    /** How much of the call's data cap ({@link #maxData}) a member's part uses. */
    default long dataLength(P part) {
        return 0;
    }

    default long maxData() {
        return Long.MAX_VALUE;
    }

    /**
     * The call for {@code parts}, carrying {@code permit} ({@link #carrying}); its answer as one result
     * per part, in order. A failed future is a failure of the whole call.
     */
    CompletableFuture<List<EntryResult>> call(List<P> parts, RatePermit permit);

    /** Records the call's duration; {@code result} is "ok" or the error kind. */
    void timed(Duration took, String result, int members);

    /**
     * The permit rides on the request as an execution attribute: the rate limiter relies on
     * {@link AnswerTimeInterceptor} calling {@code transmitting()} and {@code release()} on it.
     */
    static Consumer<AwsRequestOverrideConfiguration.Builder> carrying(RatePermit permit) {
        return o -> o.putExecutionAttribute(AnswerTimeInterceptor.PERMIT, permit);
    }
}
