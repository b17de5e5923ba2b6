package org.jtrove.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.InProcessBus;
import org.jtrove.bus.MessageBus;
import org.jtrove.guestagent.BootFiles;
import org.jtrove.guestagent.Datastores;
import org.jtrove.guestagent.host.LocalGuestHost;
import org.jtrove.guestagent.host.OsUser;
import org.jtrove.model.DaemonThreads;
import org.jtrove.model.guest.AgentBoot;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.FlavorRecord;
import org.jtrove.store.InstanceRecord;
import org.jtrove.store.MetadataStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code jtrove server}: the four services — conductor, this host's guest agents, taskmanager, api — in one JVM
 * over the in-process bus, on the embedded store by default. Each service is built by its own composition root,
 * as the separate {@code jtrove api|taskmanager|conductor|guestagent} commands build them.
 */
public final class AllInOne implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AllInOne.class);
    private final StateLock taskmanagerLock;
    private final StateLock hostLock;
    private final MetadataStore store;
    private final MessageBus bus;
    private final ConductorService conductor;
    private final GuestAgentService guestAgents;
    private final TaskmanagerService taskmanager;
    private final ApiService api;
    private final Thread templateWarmer;
    private final Registration registration;

    public AllInOne(JtroveConfig config) {
        Path state = config.statePath();
        Infrastructure.prepareStateDir(state);
        this.taskmanagerLock = StateLock.acquire(state, "taskmanager");
        this.hostLock = StateLock.acquire(state, "guestagent");
        this.store = Infrastructure.openStore(config, MetadataStore.SchemaMode.MIGRATE);
        OsUser builder = OsUser.ensure(config.guestAgent.databaseOsUser());
        this.registration = new Registration(store, Datastores.builtIn(), state,
                new LocalGuestHost(state.resolve("probes"), builder));
        registration.firstStart();
        this.bus = new InProcessBus();
        BackupVault vault = Infrastructure.backupVault(config);
        this.conductor = new ConductorService(store, bus).start();
        this.guestAgents = new GuestAgentService(config, bus, vault);
        placeEarlierInstances(config, guestAgents.hostName());
        guestAgents.start();
        this.taskmanager = new TaskmanagerService(config, store, bus, vault, taskmanagerLock.taskmanagerName()).start();
        this.api = new ApiService(config, store, bus).start();
        this.templateWarmer = DaemonThreads.start("template-warmer", this::warmTemplates);
    }

    /**
     * Instances of an installation from before guest-agent hosts get this host and a boot file, so the host boots
     * their agents as it boots any other.
     */
    private void placeEarlierInstances(JtroveConfig config, String host) {
        for (InstanceRecord i : store.instances.listLive()) {
            Path agentDir = config.statePath().resolve("instances").resolve(i.id()).resolve("agent");
            if (i.address() == null || store.instances.computeHost(i.id()) != null || !Files.isDirectory(agentDir)) {
                continue;
            }
            try {
                if (BootFiles.read(agentDir).isEmpty()) {
                    DatastoreVersionRecord v = store.datastores.version(i.datastoreVersionId()).orElseThrow();
                    int ram = store.flavors.find(i.flavorId()).map(FlavorRecord::ram).orElse(512);
                    BootFiles.write(agentDir, new AgentBoot(i.id(), v.build(), i.address(), ram, i.volumeSize(),
                            store.instances.access(i.id()), store.instances.publicPort(i.id()), null));
                }
                store.instances.setPlacement(i.id(), host, i.address());
                LOG.info("instance {}: placed on host {} (it predates guest-agent hosts)", i.id(), host);
            } catch (Exception e) {
                LOG.error("instance {}: cannot give it a boot file: {}", i.id(), e.getMessage());
            }
        }
    }

    public int port() {
        return api.port();
    }

    public MetadataStore store() {
        return store;
    }

    /** Registers server builds as datastore versions in this server's store (what `manage` does from outside). */
    public Registration registration() {
        return registration;
    }

    /** Initialises the template of every active version in the background, so the first create does not pay for it. */
    private void warmTemplates() {
        try {
            for (var ds : store.datastores.list()) {
                List<DatastoreVersionRecord> versions = store.datastores.versions(ds.id());
                for (DatastoreVersionRecord v : versions) {
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                    if (v.active()) {
                        try {
                            guestAgents.warm(v.build());
                        } catch (InterruptedException e) {
                            return;
                        } catch (Exception e) {
                            LOG.warn("cannot prepare the template for {} {}: {}", v.manager(), v.name(), e.toString());
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("template warming stopped: {}", e.toString());
        }
    }

    /** Stops the services; database servers keep running and are adopted at the next start. */
    @Override
    public void close() {
        templateWarmer.interrupt();
        try {
            templateWarmer.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        api.close();
        taskmanager.close();
        guestAgents.close();
        conductor.close();
        bus.close();
        store.close();
        hostLock.close();
        taskmanagerLock.close();
    }
}
