package org.jtrove.compute.local;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.jtrove.bus.MessageBus;
import org.jtrove.compute.ComputeDriver;
import org.jtrove.guestagent.Datastore;
import org.jtrove.guestagent.Datastores;
import org.jtrove.guestagent.GuestAgent;
import org.jtrove.guestagent.InstanceContext;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.guestagent.TemplateCache;
import org.jtrove.model.InstanceAccess;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.FlavorRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code local} compute driver: each instance is a real server process on this host, with its own data
 * directory under the state directory and its own loopback address (127.x.y.z) on the datastore's standard
 * port. Its guest agent runs in this JVM and talks to the rest over the bus like any other.
 */
public final class LocalComputeDriver implements ComputeDriver {
    private static final Logger LOG = LoggerFactory.getLogger(LocalComputeDriver.class);

    private final Path instancesDir;
    private final MetadataStore store;
    private final MessageBus bus;
    private final Datastores datastores;
    private final TemplateCache templates;
    private final BackupVault vault;
    private final ScheduledExecutorService scheduler;
    private final long heartbeatMillis;
    private final int addressBase;
    private final ProcessExits exits;
    private final HostAccess access;
    private final Map<String, GuestAgent> agents = new ConcurrentHashMap<>();

    /** {@code access} enforces each instance's access on this host (its rules, its public forwarder). */
    public LocalComputeDriver(Path stateDir, MetadataStore store, MessageBus bus, Datastores datastores,
                              TemplateCache templates, BackupVault vault, ScheduledExecutorService scheduler,
                              long heartbeatMillis, int addressBase, ProcessExits exits, HostAccess access) {
        this.instancesDir = stateDir.resolve("instances");
        this.store = store;
        this.bus = bus;
        this.datastores = datastores;
        this.templates = templates;
        this.vault = vault;
        this.scheduler = scheduler;
        this.heartbeatMillis = heartbeatMillis;
        this.addressBase = addressBase;
        this.exits = exits;
        this.access = access;
    }

    @Override
    public Placement provision(String instanceId) {
        InstanceRecord instance = store.instances.find(instanceId)
                .orElseThrow(() -> new IllegalStateException("instance " + instanceId + " is gone"));
        if (instance.address() == null) {
            instance = allocateAddress(instance);
        }
        enforceAccess(instance, store.instances.access(instanceId));
        if (!agents.containsKey(instanceId)) {
            boot(instance);
        }
        return new Placement(instance.address());
    }

    /**
     * Boots agents only where an instance's directory exists: a delete that removed it before jtrove stopped must
     * not get it (or its OS user) back; its task finishes the delete.
     */
    @Override
    public void recover() {
        for (InstanceRecord instance : store.instances.listLive()) {
            if (instance.address() != null && !agents.containsKey(instance.id())
                    && Files.isDirectory(instancesDir.resolve(instance.id()))) {
                try {
                    enforceAccess(instance, store.instances.access(instance.id()));
                } catch (RuntimeException e) {
                    LOG.error("instance {}: cannot put its access in force again: {}", instance.id(), e.getMessage());
                }
                try {
                    boot(instance);
                } catch (RuntimeException e) {
                    LOG.error("instance {}: cannot re-attach its guest agent: {}", instance.id(), e.getMessage());
                }
            }
        }
    }

    @Override
    public void destroy(String instanceId) {
        GuestAgent agent = agents.get(instanceId);
        try {
            if (agent == null && Files.isDirectory(instancesDir.resolve(instanceId))) {
                agent = agent(store.instances.find(instanceId).orElseThrow());   // only to stop a server left running
            }
            if (agent != null) {
                agent.close();          // no more requests, heartbeats or prepares; waits for one in flight
                agent.stopServer();
            }
            agents.remove(instanceId);
            OsUser user = OsUser.ensure(OsUser.forInstance(instanceId));
            access.remove(instanceId, instancesDir.resolve(instanceId), user);
            store.instances.setPublicPort(instanceId, null);
            TemplateCache.deleteTree(instancesDir.resolve(instanceId));
            user.remove();
        } catch (Exception e) {
            throw new IllegalStateException("cannot remove instance " + instanceId + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void updateAccess(String instanceId, InstanceAccess wanted) {
        InstanceRecord instance = store.instances.find(instanceId)
                .orElseThrow(() -> new IllegalStateException("instance " + instanceId + " is gone"));
        if (instance.address() == null) {
            throw new IllegalStateException("instance " + instanceId + " has no address yet");
        }
        InstanceAccess before = store.instances.access(instanceId);
        try {
            enforceAccess(instance, wanted);
        } catch (RuntimeException e) {
            try {
                enforceAccess(instance, before);
            } catch (RuntimeException again) {
                throw new IllegalStateException(e.getMessage() + " Putting the previous access back failed too ("
                        + again.getMessage() + "); update the access again.", e);
            }
            throw new IllegalStateException(e.getMessage() + " The previous access is still in force.", e);
        }
        store.instances.setAccess(instanceId, wanted);
        LOG.info("instance {}: access is now public={} allowed_cidrs={}", instanceId, wanted.isPublic(),
                wanted.allowedCidrs());
    }

    /**
     * Puts {@code wanted} in force for the instance: a public instance gets a port on the public address (kept while
     * it stays public), a private one gives its port back once its forwarder is gone.
     */
    private void enforceAccess(InstanceRecord instance, InstanceAccess wanted) {
        boolean publish = wanted.isPublic() && access.publicAddress() != null;
        if (wanted.isPublic() && !publish) {
            LOG.warn("instance {} is public but public_address is not set: it is reachable on its own address only",
                    instance.id());
        }
        Integer publicPort = publish ? publicPort(instance.id()) : null;
        access.apply(endpoint(instance.id(), instance.address(), port(instance)), wanted, publicPort);
        if (publicPort == null) {
            store.instances.setPublicPort(instance.id(), null);
        }
    }

    private HostAccess.Endpoint endpoint(String instanceId, String address, int port) {
        return new HostAccess.Endpoint(instanceId, address, port, instancesDir.resolve(instanceId),
                OsUser.ensure(OsUser.forInstance(instanceId)));
    }

    /** The instance's public port: the one it has, or the lowest free one of public_ports. */
    private synchronized int publicPort(String instanceId) {
        Integer current = store.instances.publicPort(instanceId);
        if (current != null) {
            return current;
        }
        Set<Integer> used = new HashSet<>(store.instances.usedPublicPorts());
        HostAccess.PortRange range = access.publicPorts();
        for (int port = range.first(); port <= range.last(); port++) {
            if (!used.contains(port) && portFree(access.publicAddress(), port)) {
                store.instances.setPublicPort(instanceId, port);
                return port;
            }
        }
        throw new IllegalStateException("no free port left in public_ports " + range.first() + "-" + range.last()
                + " on " + access.publicAddress().getHostAddress() + "; widen the range or make an instance private.");
    }

    private int port(InstanceRecord instance) {
        return datastores.get(store.datastores.version(instance.datastoreVersionId()).orElseThrow().manager()).port();
    }

    private void boot(InstanceRecord instance) {
        GuestAgent agent = agent(instance);
        agents.put(instance.id(), agent);
        agent.boot();
    }

    /** An agent for the instance (not yet listening), with its directory and OS user made if missing. */
    private GuestAgent agent(InstanceRecord instance) {
        DatastoreVersionRecord version = store.datastores.version(instance.datastoreVersionId()).orElseThrow();
        int memoryMb = store.flavors.find(instance.flavorId()).map(FlavorRecord::ram).orElse(512);
        Datastore datastore = datastores.get(version.manager());
        Path dir = instancesDir.resolve(instance.id());
        OsUser user = OsUser.ensure(OsUser.forInstance(instance.id()));
        try {
            Files.createDirectories(dir);
            // Enterable by the instance's user, listable by nobody else; data/ and run/ inside are its own (0700).
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        InstanceContext ctx = new InstanceContext(instance.id(), version.build(), instance.address(), memoryMb, dir);
        return new GuestAgent(ctx, datastore, new LocalGuestHost(dir, user, exits), bus, templates, vault, scheduler,
                heartbeatMillis);
    }

    /** Picks the lowest free 127.x.y.z whose datastore port is also free on this host. */
    private synchronized InstanceRecord allocateAddress(InstanceRecord instance) {
        int port = port(instance);
        Set<Integer> used = new HashSet<>(store.instances.usedAddressIndexes());
        for (int index = 1; index < (1 << 16); index++) {
            int last = index & 255;
            if (last == 0 || last == 255 || used.contains(index)) {
                continue;
            }
            String address = address(index);
            if (portFree(address, port)) {
                store.instances.setAddress(instance.id(), address, index);
                return store.instances.find(instance.id()).orElseThrow();
            }
        }
        throw new IllegalStateException("no free loopback address left");
    }

    String address(int index) {
        return "127." + (addressBase + (index >> 16)) + "." + ((index >> 8) & 255) + "." + (index & 255);
    }

    private static boolean portFree(String address, int port) {
        try {
            return portFree(InetAddress.getByName(address), port);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean portFree(InetAddress address, int port) {
        try (ServerSocket s = new ServerSocket(port, 1, address)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Detaches every guest agent; the database servers keep running and are adopted at the next start. */
    @Override
    public void close() {
        agents.values().forEach(GuestAgent::close);
        agents.clear();
    }
}
