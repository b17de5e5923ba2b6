package org.jtrove.bus;

import java.util.List;

/**
 * How a bus runs the server of a topic: a batch of received messages in (at most {@link #maxBatch()}), one reply
 * each out. Both buses build it from a subscriber's {@link Handler} or {@link BatchHandler}.
 */
public interface TopicServer {
    int maxBatch();

    List<Replies.Reply> serve(List<Message> messages);

    /** Serves one message at a time. */
    static TopicServer of(Handler handler) {
        return new TopicServer() {
            @Override
            public int maxBatch() {
                return 1;
            }

            @Override
            public List<Replies.Reply> serve(List<Message> messages) {
                return List.of(Replies.serve(handler, messages.get(0)));
            }
        };
    }

    /**
     * Serves batches of up to maxBatch messages.
     *
     * @throws IllegalArgumentException when maxBatch is below 1
     */
    static TopicServer of(int maxBatch, BatchHandler handler) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be at least 1, not " + maxBatch);
        }
        return new TopicServer() {
            @Override
            public int maxBatch() {
                return maxBatch;
            }

            @Override
            public List<Replies.Reply> serve(List<Message> messages) {
                return Replies.serve(handler, messages);
            }
        };
    }
}
