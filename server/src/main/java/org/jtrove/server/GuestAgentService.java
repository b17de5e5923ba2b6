package org.jtrove.server;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.jtrove.backupstorage.BackupVault;
import org.jtrove.bus.MessageBus;
import org.jtrove.bus.rabbitmq.RabbitMqBus;
import org.jtrove.bus.rabbitmq.TransportUrl;
import org.jtrove.guestagent.Datastores;
import org.jtrove.guestagent.TemplateCache;
import org.jtrove.guestagent.host.AgentHost;
import org.jtrove.guestagent.host.HostAccess;
import org.jtrove.guestagent.host.LocalGuestHost;
import org.jtrove.guestagent.host.OsUser;
import org.jtrove.guestagent.host.ProcessExits;
import org.jtrove.model.DaemonThreads;
import org.jtrove.model.guest.ServerBuild;

/**
 * The guest-agent service of one host ({@code jtrove guestagent}): an {@link AgentHost} with this host's template
 * cache, backup vault, access rules and exit watch. On a broker each agent opens its own connection with the
 * credentials in its boot file; in-process they share the host's bus.
 */
final class GuestAgentService implements AutoCloseable {
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(4,
            DaemonThreads.named("guest-heartbeats"));
    private final ProcessExits exits = new ProcessExits();
    private final TemplateCache templates;
    private final Datastores datastores = Datastores.builtIn();
    private final AgentHost host;
    private final Map<String, MessageBus> agentBuses = new ConcurrentHashMap<>();

    GuestAgentService(JtroveConfig config, MessageBus bus, BackupVault vault) {
        Path state = config.statePath();
        Infrastructure.prepareStateDir(state);
        OsUser builder = OsUser.ensure(config.guestAgent.databaseOsUser());
        this.templates = new TemplateCache(state.resolve("templates"), config.guestAgent.spareDataDirs(),
                new LocalGuestHost(state.resolve("templates"), builder, exits));
        AgentHost.AgentBuses buses = new AgentHost.AgentBuses() {
            @Override
            public MessageBus open(String instanceId, String transportUrl) {
                if (transportUrl == null) {
                    return bus;
                }
                return agentBuses.computeIfAbsent(instanceId, id ->
                        RabbitMqBus.connectGuest(config.messaging.withTransportUrl(TransportUrl.parse(transportUrl))));
            }

            @Override
            public void close(String instanceId) {
                MessageBus own = agentBuses.remove(instanceId);
                if (own != null) {
                    own.close();
                }
            }
        };
        this.host = new AgentHost(config.host.hostName(), state, config.guestAgent.addressBase(), bus, buses,
                new AgentHost.Parts(datastores, templates, vault, scheduler, config.guestAgent.heartbeatInterval(),
                        new HostAccess(config.host.publicAddress(), HostAccess.PortRange.parse(config.host.publicPorts())),
                        exits));
    }

    GuestAgentService start() {
        host.start();
        return this;
    }

    String hostName() {
        return host.name();
    }

    /** Builds the template of a server build now (see {@link AgentHost#warm}). */
    void warm(ServerBuild build) throws Exception {
        host.warm(datastores.get(build.manager()), build);
    }

    /** Stops serving; the database servers keep running and are adopted at the next start. */
    @Override
    public void close() {
        templates.close();
        host.close();
        agentBuses.values().forEach(MessageBus::close);
        agentBuses.clear();
        scheduler.shutdownNow();
        exits.close();
    }
}
