package io.mailer.feedback.intake.sqs;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * A synchronous SDK HTTP client whose requests in progress can be cancelled from another thread —
 * what makes a 20 s long poll on the blocking SQS client stoppable at shutdown. {@link #cancelAll()}
 * aborts every request in progress (the blocked read fails at once) and refuses new ones with a
 * non-retryable {@link AbortedException} until {@link #resume()}, so the SDK's retry of the
 * aborted attempt fails fast instead of starting another long poll.
 */
final class CancellableHttpClient implements SdkHttpClient {

    private final SdkHttpClient delegate;
    private final Set<ExecutableHttpRequest> inProgress = ConcurrentHashMap.newKeySet();
    private volatile boolean cancelled;

    CancellableHttpClient(SdkHttpClient delegate) {
        this.delegate = delegate;
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        ExecutableHttpRequest call = delegate.prepareRequest(request);
        return new ExecutableHttpRequest() {
            @Override
            public HttpExecuteResponse call() throws IOException {
                inProgress.add(call);
                try {
                    // checked after registering: cancelAll() either sees this call or we see its flag
                    if (cancelled) {
                        throw cancelledException();
                    }
                    return call.call();
                } catch (IOException e) {
                    if (cancelled) {
                        throw cancelledException(); // no cause: an IOException cause would be retried
                    }
                    throw e;
                } finally {
                    inProgress.remove(call);
                }
            }

            @Override
            public void abort() {
                call.abort();
            }
        };
    }

    /** Aborts every request in progress and refuses new ones until {@link #resume()}. */
    void cancelAll() {
        cancelled = true;
        inProgress.forEach(ExecutableHttpRequest::abort);
    }

    void resume() {
        cancelled = false;
    }

    int inProgress() {
        return inProgress.size();
    }

    @Override
    public String clientName() {
        return delegate.clientName();
    }

    @Override
    public void close() {
        delegate.close();
    }

    private static AbortedException cancelledException() {
        return AbortedException.create("SQS request cancelled: the intake is stopping");
    }
}
