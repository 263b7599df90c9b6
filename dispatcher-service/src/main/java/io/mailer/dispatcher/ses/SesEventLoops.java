package io.mailer.dispatcher.ses;

import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;

/**
 * The SES client's Netty threads, owned here instead of by the SDK: the SDK stops its own with a
 * fixed 2 s quiet period (Netty waits that long for new tasks), which every dispatcher shutdown
 * paid. When this closes, the client is closed and the sends container has already finished the
 * calls in flight, so no task can come; pending ones still run before the threads end.
 */
final class SesEventLoops implements AutoCloseable {

    private final SdkEventLoopGroup group = SdkEventLoopGroup.builder().build();

    SdkEventLoopGroup group() {
        return group;
    }

    @Override
    public void close() {
        group.eventLoopGroup().shutdownGracefully(0, 15, TimeUnit.SECONDS).awaitUninterruptibly(16, TimeUnit.SECONDS);
    }
}
