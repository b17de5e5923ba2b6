package org.jtrove.server;

import java.util.ArrayList;
import java.util.List;
import org.jtrove.guestagent.Datastore;
import org.jtrove.guestagent.Datastores;
import org.jtrove.model.guest.ServerBuild;
import org.jtrove.store.DatastoreRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.FlavorRecord;
import org.jtrove.store.MetadataStore;

/** Registers server builds as datastore versions, and the default flavors: what an operator's first start needs. */
public final class Registration {
    static final List<FlavorRecord> DEFAULT_FLAVORS = List.of(
            new FlavorRecord("1", "m1.tiny", 512, 1, 1, 0),
            new FlavorRecord("2", "m1.small", 1024, 1, 2, 0),
            new FlavorRecord("3", "m1.medium", 2048, 2, 5, 0),
            new FlavorRecord("4", "m1.large", 4096, 2, 10, 0));

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Registration.class);
    private final MetadataStore store;
    private final Datastores datastores;
    private final MavenBuilds mavenBuilds;

    public Registration(MetadataStore store, Datastores datastores, java.nio.file.Path stateDir) {
        this.store = store;
        this.datastores = datastores;
        this.mavenBuilds = new MavenBuilds(stateDir);
    }

    /**
     * On a first start with an empty store: discover every build and create the default flavors. On every start,
     * the registered versions' parameter catalogues are reloaded, so they follow the plugins' shipped files.
     */
    public void firstStart() {
        if (store.datastores.list().isEmpty()) {
            discover();
        }
        if (store.flavors.list().isEmpty()) {
            DEFAULT_FLAVORS.forEach(store.flavors::upsert);
        }
        for (DatastoreRecord ds : store.datastores.list()) {
            for (DatastoreVersionRecord v : store.datastores.versions(ds.id())) {
                datastores.find(v.manager()).ifPresent(d -> loadParameters(d, v));
            }
        }
    }

    /** Copies the plugin's parameter catalogue for this version into the metadata store, where the API reads it. */
    private void loadParameters(Datastore d, DatastoreVersionRecord v) {
        store.parameters.replace(v.id(), d.parameters(v.version()));
    }

    /**
     * Registers every supported server build found on this host: installed packages, and Maven-shipped builds
     * already in the local Maven repository. Returns what it registered.
     */
    public List<DatastoreVersionRecord> discover() {
        List<DatastoreVersionRecord> registered = new ArrayList<>();
        for (Datastore d : datastores.all()) {
            for (ServerBuild build : d.discover()) {
                registered.add(register(d.datastoreName(), build.version(), build, true));
            }
            try {
                for (String coordinates : mavenBuilds.cachedCoordinates(d)) {
                    registered.add(importMaven(d.datastoreName(), coordinates, null));
                }
            } catch (Exception e) {
                LOG.warn("cannot register Maven-shipped {} builds: {}", d.datastoreName(), e.getMessage());
            }
        }
        return registered;
    }

    /** Fetches and unpacks a Maven-shipped build and registers it (name defaults to its major.minor version). */
    public DatastoreVersionRecord importMaven(String datastoreName, String coordinates, String versionName) throws Exception {
        Datastore datastore = datastores.all().stream()
                .filter(d -> d.mavenArtifacts().stream().anyMatch(coordinates::startsWith)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no datastore plugin ships builds as " + coordinates));
        ServerBuild build = mavenBuilds.importBuild(datastore, coordinates);
        return register(datastoreName != null ? datastoreName : datastore.datastoreName(),
                versionName != null ? versionName : build.version(), build, true);
    }

    public DatastoreVersionRecord register(String datastoreName, String versionName, ServerBuild build, boolean active) {
        Datastore plugin = datastores.get(build.manager());
        DatastoreRecord ds = store.datastores.upsertDatastore(datastoreName, build.manager());
        DatastoreVersionRecord v = store.datastores.upsertVersion(ds.id(), versionName, build.version(), build.manager(),
                active, build.source(), build.binDir(), build.baseDir());
        loadParameters(plugin, v);
        if (ds.defaultVersionId() == null && active) {
            store.datastores.setDefaultVersion(ds.id(), v.id());
        }
        return v;
    }
}
