package org.jtrove.bus;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Map;
import org.jtrove.model.InstanceAccess;
import org.jtrove.model.Json;
import org.jtrove.model.guest.ServerBuild;

/**
 * How the local compute driver asks a guest-agent host (the {@code jtrove guestagent} process of one machine, topic
 * {@code guestagent-host.<host>}) to give an instance a place and an agent, to change who may reach it, and to
 * remove it. Every call is idempotent: the same request again gives the same answer.
 */
public final class HostApi {
    public static final String BOOT_AGENT = "boot_agent";
    public static final String UPDATE_ACCESS = "update_access";
    public static final String DESTROY_AGENT = "destroy_agent";
    public static final String FORWARD_WRITER = "forward_writer";
    public static final String REMOVE_WRITER = "remove_writer";
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration ACCESS_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DESTROY_TIMEOUT = Duration.ofSeconds(180);

    /**
     * An instance to place: its build, size and access, and the broker URL with its agent's own credentials (null:
     * the host's own bus).
     */
    public record BootRequest(String instanceId, ServerBuild build, int memoryMb, int volumeGb, InstanceAccess access,
                              String transportUrl) {
        @Override
        public String toString() {
            return "BootRequest[" + instanceId + "]";   // never the credentials
        }
    }

    /**
     * A replica set's writer address to forward to its source's {@code target} address on {@code port}: the
     * {@code address} it has, or null to allocate one for {@code key} (a repeat with the same key gets the same one).
     */
    public record WriterRequest(String key, String address, String target, int port) {}

    /** Where a placed instance is: its host, its address there, and its public port (null: not published). */
    public record Placed(String host, String address, Integer publicPort) {}

    private final MessageBus bus;

    public HostApi(MessageBus bus) {
        this.bus = bus;
    }

    /** Call: makes the instance's directory, OS user, address and access, and boots its agent (it listens then). */
    public Placed bootAgent(String host, BootRequest request) {
        return Json.convert(bus.call(Topics.host(host), Message.of(BOOT_AGENT, request), BOOT_TIMEOUT),
                Placed.class);
    }

    /** Call: puts {@code access} in force for the instance; returns its public port, or null when not published. */
    public Integer updateAccess(String host, String instanceId, InstanceAccess access) {
        var port = bus.call(Topics.host(host), Message.of(UPDATE_ACCESS, Map.of("instance_id", instanceId,
                "access", access)), ACCESS_TIMEOUT).path("public_port");
        return port.isIntegralNumber() ? port.asInt() : null;
    }

    /**
     * Call: forwards a writer address (allocated on this host when the request has none); returns the address, or
     * null when the host cannot forward (no nftables).
     */
    public String forwardWriter(String host, WriterRequest request) {
        JsonNode address = bus.call(Topics.host(host), Message.of(FORWARD_WRITER, request), ACCESS_TIMEOUT)
                .path("address");
        return address.isTextual() ? address.asText() : null;
    }

    /** Call: stops forwarding a writer address and gives it back to the host's pool. */
    public void removeWriter(String host, String address) {
        bus.call(Topics.host(host), Message.of(REMOVE_WRITER, Map.of("address", address)), ACCESS_TIMEOUT);
    }

    /** Call: stops the agent and the server, removes the instance's data, OS user and access rules. */
    public void destroyAgent(String host, String instanceId) {
        bus.call(Topics.host(host), Message.of(DESTROY_AGENT, Map.of("instance_id", instanceId)), DESTROY_TIMEOUT);
    }
}
