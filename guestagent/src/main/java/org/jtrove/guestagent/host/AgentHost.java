package org.jtrove.guestagent.host;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.ConductorApi;
import org.jtrove.bus.HostApi;
import org.jtrove.bus.Message;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.Topics;
import org.jtrove.guestagent.BootFiles;
import org.jtrove.guestagent.Datastore;
import org.jtrove.guestagent.Datastores;
import org.jtrove.guestagent.GuestAgent;
import org.jtrove.guestagent.InstanceContext;
import org.jtrove.guestagent.ShortSocketDirs;
import org.jtrove.guestagent.TemplateCache;
import org.jtrove.model.InstanceAccess;
import org.jtrove.model.Json;
import org.jtrove.model.JtroveException;
import org.jtrove.model.guest.AgentBoot;
import org.jtrove.model.guest.HostHeartbeat;
import org.jtrove.model.guest.ServerBuild;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A guest-agent host: the {@code jtrove guestagent} process of one machine (part of the all-in-one server's JVM
 * there). It owns the machine's side of the local compute driver: each instance's directory
 * ({@code STATE/instances/<id>}), OS user, loopback address (from its own range, 127.{@code address_base}.y.z),
 * access rules and public forwarder, and the template cache; and it runs one {@link GuestAgent} per instance, each
 * built from the instance's boot file ({@link AgentBoot}), each talking on its own bus connection. On start it
 * boots an agent for every boot file it finds, and the agents adopt their running servers. It serves topic
 * {@code guestagent-host.<host>} ({@link HostApi}) and reports itself to the conductor every {@code heartbeat}.
 */
public final class AgentHost implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentHost.class);
    private static final Duration HOST_HEARTBEAT = Duration.ofSeconds(10);

    /** Opens the bus an agent talks on: its own broker connection for a transport URL, else the host's bus. */
    public interface AgentBuses {
        MessageBus open(String instanceId, String transportUrl);

        /** Closes what {@link #open} opened for the instance (not the host's own bus). */
        void close(String instanceId);
    }

    /** How the host builds things; one record so the composition root passes one value. */
    public record Parts(Datastores datastores, TemplateCache templates, BackupVault vault,
                        ScheduledExecutorService scheduler, Duration agentHeartbeat, HostAccess access,
                        ProcessExits exits) {}

    private final String name;
    private final Path instancesDir;
    private final int addressBase;
    private final MessageBus bus;
    private final AgentBuses agentBuses;
    private final Parts parts;
    private final ConductorApi conductor;
    private final WriterAddresses writers;
    private final Map<String, GuestAgent> agents = new ConcurrentHashMap<>();
    private MessageBus.Subscription subscription;
    private ScheduledFuture<?> heartbeats;

    /**
     * @param name        this host's name ({@code [DEFAULT] host}); its topic is {@code guestagent-host.<name>}
     * @param stateDir    this host's state directory; instances live in {@code instances/} below it
     * @param addressBase instances get 127.{@code addressBase}.y.z; hosts on one machine need different bases
     */
    public AgentHost(String name, Path stateDir, int addressBase, MessageBus bus, AgentBuses agentBuses, Parts parts) {
        this.name = name;
        this.instancesDir = stateDir.resolve("instances");
        this.writers = new WriterAddresses(stateDir.resolve("writers"));
        this.addressBase = addressBase;
        this.bus = bus;
        this.agentBuses = agentBuses;
        this.parts = parts;
        this.conductor = new ConductorApi(bus);
    }

    public String name() {
        return name;
    }

    /**
     * Boots an agent for every boot file here (the agents adopt their running servers and put their access in
     * force again), then serves the host topic and starts reporting to the conductor.
     */
    public void start() {
        for (AgentBoot boot : bootFiles()) {
            try {
                enforce(boot);
                bootAgent(boot);
            } catch (RuntimeException e) {
                LOG.error("instance {}: cannot boot its guest agent again: {}", boot.instanceId(), e.getMessage());
            }
        }
        writers.reapply();
        subscription = bus.subscribe(Topics.host(name), this::handle);
        heartbeats = parts.scheduler().scheduleWithFixedDelay(this::report, 0, HOST_HEARTBEAT.toMillis(),
                TimeUnit.MILLISECONDS);
        LOG.info("guest-agent host {} serves {} instance(s) from {}", name, agents.size(), instancesDir);
    }

    Object handle(Message m) throws Exception {
        JsonNode a = m.args();
        return switch (m.method()) {
            case HostApi.BOOT_AGENT -> boot(Json.convert(a, HostApi.BootRequest.class));
            case HostApi.UPDATE_ACCESS -> {
                Integer port = updateAccess(a.path("instance_id").asText(),
                        Json.convert(a.path("access"), InstanceAccess.class));
                yield port == null ? Map.of() : Map.of("public_port", port);
            }
            case HostApi.FORWARD_WRITER -> {
                String address = forwardWriter(Json.convert(a, HostApi.WriterRequest.class));
                yield address == null ? Map.of() : Map.of("address", address);
            }
            case HostApi.REMOVE_WRITER -> {
                writers.remove(a.path("address").asText());
                yield null;
            }
            case HostApi.DESTROY_AGENT -> {
                destroy(a.path("instance_id").asText());
                yield null;
            }
            default -> throw JtroveException.notImplemented("Guest-agent host has no method " + m.method());
        };
    }

    /**
     * Gives the instance its place (the one it has, for an instance booted before) and a running agent. A repeated
     * request answers the same; one with new broker credentials boots the agent again with them.
     */
    synchronized HostApi.Placed boot(HostApi.BootRequest r) throws IOException {
        checkId(r.instanceId());
        AgentBoot boot = BootFiles.read(agentDir(r.instanceId())).orElse(null);
        if (boot == null) {
            boot = new AgentBoot(r.instanceId(), r.build(),
                    allocateAddress(parts.datastores().get(r.build().manager()).port()), r.memoryMb(), r.volumeGb(),
                    r.access(), null, r.transportUrl());
        } else if (!java.util.Objects.equals(boot.transportUrl(), r.transportUrl())) {
            boot = new AgentBoot(boot.instanceId(), boot.build(), boot.address(), boot.memoryMb(), boot.volumeGb(),
                    boot.access(), boot.publicPort(), r.transportUrl());
            stopAgent(r.instanceId());
        }
        boot = enforce(boot);
        BootFiles.write(agentDir(r.instanceId()), boot);
        if (!agents.containsKey(r.instanceId())) {
            bootAgent(boot);
        }
        return new HostApi.Placed(name, boot.address(), boot.publicPort());
    }

    synchronized Integer updateAccess(String instanceId, InstanceAccess access) throws IOException {
        checkId(instanceId);
        AgentBoot boot = BootFiles.read(agentDir(instanceId)).orElseThrow(() -> JtroveException.notFound(
                "Instance " + instanceId + " is not placed on host " + name + "."));
        AgentBoot wanted = boot.withAccess(access, boot.publicPort());
        AgentBoot applied;
        try {
            applied = enforce(wanted);
        } catch (RuntimeException e) {
            try {
                enforce(boot);
            } catch (RuntimeException again) {
                throw new IllegalStateException(e.getMessage() + " Putting the previous access back failed too ("
                        + again.getMessage() + "); update the access again.", e);
            }
            throw new IllegalStateException(e.getMessage() + " The previous access is still in force.", e);
        }
        BootFiles.write(agentDir(instanceId), applied);
        LOG.info("instance {}: access is now public={} allowed_cidrs={}", instanceId, access.isPublic(),
                access.allowedCidrs());
        return applied.publicPort();
    }

    /**
     * Forwards a replica set's writer address to its source: the one the request names, or the one allocated for its
     * key, or a new one of this host's instance addresses (never given to an instance while recorded). Null when
     * this host cannot forward (not root, or no nftables): the set then has no writer address.
     */
    synchronized String forwardWriter(HostApi.WriterRequest r) throws IOException {
        if (!NftablesRules.usable()) {
            LOG.warn("no writer address for the replica set of {}: forwarding needs jtrove to run as root with nftables",
                    r.key());
            return null;
        }
        String address = r.address() != null ? r.address()
                : writers.addressOf(r.key()).orElse(null);
        if (address == null) {
            address = allocateAddress(r.port());
        }
        writers.forward(new WriterAddresses.Writer(r.key(), address, r.target(), r.port()));
        return address;
    }

    /**
     * Stops the agent and the server, removes the access rules, the directory (and its socket directory) and the OS
     * user. Safe to repeat.
     */
    synchronized void destroy(String instanceId) throws Exception {
        checkId(instanceId);
        Path dir = instancesDir.resolve(instanceId);
        GuestAgent agent = agents.remove(instanceId);
        if (agent == null && Files.isDirectory(dir)) {
            agent = BootFiles.read(agentDir(instanceId)).map(this::agent).orElse(null);   // only to stop its server
        }
        if (agent != null) {
            agent.close();          // no more requests, heartbeats or operations
            agent.stopServer();
        }
        agentBuses.close(instanceId);
        OsUser user = OsUser.ensure(OsUser.forInstance(instanceId));
        parts.access().remove(instanceId, dir, user);
        TemplateCache.deleteTree(dir);
        ShortSocketDirs.remove(instanceId, dir);
        user.remove();
        LOG.info("instance {}: removed from host {}", instanceId, name);
    }

    /** Builds the template of {@code build} (and its spare copies) now, so the first create does not wait for it. */
    public void warm(Datastore datastore, ServerBuild build) throws Exception {
        parts.templates().replenish(parts.templates().ensure(datastore, build));
    }

    private void bootAgent(AgentBoot boot) {
        GuestAgent agent = agent(boot);
        agents.put(boot.instanceId(), agent);
        agent.boot();
    }

    /** An agent for {@code boot} (not yet listening), with the instance's directory and OS user made if missing. */
    private GuestAgent agent(AgentBoot boot) {
        Datastore datastore = parts.datastores().get(boot.build().manager());
        Path dir = instancesDir.resolve(boot.instanceId());
        OsUser user = OsUser.ensure(OsUser.forInstance(boot.instanceId()));
        makeInstanceDir(dir);
        InstanceContext ctx = new InstanceContext(boot.instanceId(), boot.build(), boot.address(), boot.memoryMb(), dir);
        return new GuestAgent(ctx, datastore, new LocalGuestHost(dir, user, parts.exits()),
                agentBuses.open(boot.instanceId(), boot.transportUrl()), parts.templates(), parts.vault(),
                parts.scheduler(), parts.agentHeartbeat().toMillis());
    }

    private void stopAgent(String instanceId) {
        GuestAgent agent = agents.remove(instanceId);
        if (agent != null) {
            agent.close();
        }
        agentBuses.close(instanceId);
    }

    /**
     * Puts the boot's access in force: a public instance gets a port on the public address (the one it has, or the
     * lowest free one), a private one gives its port back. Returns the boot with the public port it now has.
     */
    private AgentBoot enforce(AgentBoot boot) {
        HostAccess access = parts.access();
        boolean publish = boot.access().isPublic() && access.publicAddress() != null;
        if (boot.access().isPublic() && !publish) {
            LOG.warn("instance {} is public but public_address is not set: it is reachable on its own address only",
                    boot.instanceId());
        }
        Integer publicPort = publish ? (boot.publicPort() != null ? boot.publicPort() : freePublicPort()) : null;
        Path dir = instancesDir.resolve(boot.instanceId());
        makeInstanceDir(dir);
        access.apply(new HostAccess.Endpoint(boot.instanceId(), boot.address(),
                parts.datastores().get(boot.build().manager()).port(), dir,
                OsUser.ensure(OsUser.forInstance(boot.instanceId()))), boot.access(), publicPort);
        return boot.withAccess(boot.access(), publicPort);
    }

    private int freePublicPort() {
        Set<Integer> used = new HashSet<>();
        bootFiles().forEach(b -> {
            if (b.publicPort() != null) {
                used.add(b.publicPort());
            }
        });
        HostAccess.PortRange range = parts.access().publicPorts();
        for (int port = range.first(); port <= range.last(); port++) {
            if (!used.contains(port) && portFree(parts.access().publicAddress(), port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port left in public_ports " + range.first() + "-" + range.last()
                + " on " + parts.access().publicAddress().getHostAddress() + "; widen the range or make an instance private.");
    }

    /**
     * The lowest free 127.{base}.y.z (held by no instance and no writer address, nor forwarded to by one) whose
     * {@code port} (the datastore's) is also free on this host.
     */
    private String allocateAddress(int port) throws IOException {
        Set<String> used = new HashSet<>(writers.addresses());
        used.addAll(writers.targets());
        bootFiles().forEach(b -> used.add(b.address()));
        for (int index = 1; index < (1 << 16); index++) {
            int last = index & 255;
            if (last == 0 || last == 255) {
                continue;
            }
            String address = "127." + (addressBase + (index >> 16)) + "." + ((index >> 8) & 255) + "." + last;
            if (!used.contains(address) && portFree(InetAddress.getByName(address), port)) {
                return address;
            }
        }
        throw new IllegalStateException("no free loopback address left on host " + name);
    }

    private static boolean portFree(InetAddress address, int port) {
        try (ServerSocket s = new ServerSocket(port, 1, address)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The boot files of every instance this host has. */
    private java.util.List<AgentBoot> bootFiles() {
        if (!Files.isDirectory(instancesDir)) {
            return java.util.List.of();
        }
        try (Stream<Path> dirs = Files.list(instancesDir)) {
            return dirs.map(d -> BootFiles.read(d.resolve("agent"))).flatMap(Optional::stream).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + instancesDir + ": " + e.getMessage(), e);
        }
    }

    private Path agentDir(String instanceId) {
        return instancesDir.resolve(instanceId).resolve("agent");
    }

    /** Enterable by the instance's user, listable by nobody else; data/ and run/ inside are its own (0700). */
    private static void makeInstanceDir(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
        }
    }

    private static void checkId(String instanceId) {
        if (instanceId == null || !instanceId.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
            throw JtroveException.badRequest("not an instance id: " + instanceId);
        }
    }

    private void report() {
        try {
            conductor.hostHeartbeat(new HostHeartbeat(name, agents.size(), System.currentTimeMillis() / 1000.0));
        } catch (RuntimeException e) {
            LOG.warn("host {}: heartbeat not sent: {}", name, e.getMessage());
        }
    }

    /** Stops serving and reporting and detaches every agent; the database servers keep running. */
    @Override
    public void close() {
        if (heartbeats != null) {
            heartbeats.cancel(false);
        }
        if (subscription != null) {
            subscription.close();
        }
        agents.keySet().forEach(this::stopAgent);
    }
}
