package org.jtrove.bus;

import java.time.Duration;
import org.jtrove.model.JtroveException;

/**
 * A call got no answer: nobody serves the topic, or no reply came within the timeout (the guest agent or service
 * is down, restarting or still booting). Status 503, so the API tells the user to try again later; the task engine
 * may retry it, unlike a refusal the remote side answered.
 */
public class UnavailableException extends JtroveException {
    private final String topic;

    private UnavailableException(String topic, String message) {
        super(503, message);
        this.topic = topic;
    }

    /** The topic that did not answer. */
    public String topic() {
        return topic;
    }

    /** Nobody serves the topic (and no queue holds messages for it). */
    public static UnavailableException noServer(String topic) {
        return new UnavailableException(topic, who(topic) + " is not listening (no server on " + topic
                + "); is the service running? Try again later.");
    }

    /** The call was sent but no reply came in time. */
    public static UnavailableException noReply(String topic, String method, Duration timeout) {
        return new UnavailableException(topic, who(topic) + " did not answer " + method + " within "
                + timeout.toMillis() / 1000.0 + " s (topic " + topic + "); it may be down or still starting."
                + " Try again later.");
    }

    /** The message could not be handed to the bus (stopped, or the broker unreachable for too long). */
    public static UnavailableException notSent(String topic, String method, String why) {
        return new UnavailableException(topic, "Could not send " + method + " to " + topic + ": " + why
                + ". Try again later.");
    }

    private static String who(String topic) {
        return topic.startsWith(Topics.GUEST_PREFIX)
                ? "The guest agent of instance " + topic.substring(Topics.GUEST_PREFIX.length())
                : "The " + topic + " service";
    }
}
