package org.jtrove.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jtrove.guestagent.Datastore;
import org.jtrove.guestagent.Datastores;
import org.jtrove.guestagent.GuestHost;
import org.jtrove.guestagent.TemplateCache;
import org.jtrove.model.guest.CharacterSets;
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
    private final Path probeDir;
    private final GuestHost builder;
    private final Map<ServerBuild, CharacterSets> charsetsRead = new HashMap<>();

    /**
     * @param builder runs a server build once, as the unprivileged user, to read its character sets (in
     *                STATE/probes); null reads none (only the spelling of character sets is then checked)
     */
    public Registration(MetadataStore store, Datastores datastores, Path stateDir, GuestHost builder) {
        this.store = store;
        this.datastores = datastores;
        this.mavenBuilds = new MavenBuilds(stateDir);
        this.probeDir = stateDir.resolve("probes");
        this.builder = builder;
    }

    /**
     * On a first start with an empty store: discover every build and create the default flavors. On every start,
     * the registered versions' parameter catalogues are reloaded, so they follow the plugins' shipped files; a
     * version whose character sets were never read gets them read; and an installation from before a datastore
     * alias existed (Trove's "mysql" served by MariaDB) gets its versions.
     */
    public void firstStart() {
        if (store.datastores.list().isEmpty()) {
            discover();
        } else {
            registerMissingAliases();
        }
        if (store.flavors.list().isEmpty()) {
            DEFAULT_FLAVORS.forEach(store.flavors::upsert);
        }
        for (DatastoreRecord ds : store.datastores.list()) {
            for (DatastoreVersionRecord v : store.datastores.versions(ds.id())) {
                datastores.find(v.manager()).ifPresent(d -> {
                    loadParameters(d, v);
                    if (store.charsets.find(v.id()).isEmpty()) {
                        loadCharacterSets(d, v);
                    }
                });
            }
        }
    }

    /**
     * For each alias of a plugin (e.g. "mysql" for MariaDB) that has no datastore yet, registers every version of
     * the plugin's own datastore under it too.
     */
    private void registerMissingAliases() {
        for (Datastore d : datastores.all()) {
            Optional<DatastoreRecord> own = store.datastores.find(d.datastoreName());
            for (Datastore.Alias alias : d.aliases()) {
                if (own.isEmpty() || store.datastores.find(alias.datastoreName()).isPresent()) {
                    continue;
                }
                for (DatastoreVersionRecord v : store.datastores.versions(own.get().id())) {
                    DatastoreVersionRecord added = register(alias.datastoreName(), alias.versionName(v.name()), v.build(),
                            v.active());
                    LOG.info("registered datastore {} version {} (the {} build of {} {})", alias.datastoreName(),
                            added.name(), d.datastoreName(), v.name(), v.binDir());
                }
            }
        }
    }

    /** Reads the character sets the version's build offers and stores them; a failure is logged, not fatal. */
    private void loadCharacterSets(Datastore d, DatastoreVersionRecord v) {
        if (builder == null) {
            return;
        }
        CharacterSets sets = charsetsRead.computeIfAbsent(v.build(), build -> readCharacterSets(d, build));
        if (!sets.isEmpty()) {
            store.charsets.replace(v.id(), sets);
        }
    }

    private CharacterSets readCharacterSets(Datastore d, ServerBuild build) {
        Path work = probeDir.resolve(UUID.randomUUID().toString());
        long start = System.nanoTime();
        try {
            Files.createDirectories(work);
            CharacterSets sets = d.characterSets(build, work, builder);
            if (!sets.isEmpty()) {
                LOG.info("read {} character sets and {} collations of {} {} in {} ms", sets.characterSets().size(),
                        sets.collations().size(), build.manager(), build.version(), (System.nanoTime() - start) / 1_000_000);
            }
            return sets;
        } catch (Exception e) {
            LOG.warn("cannot read the character sets of {} {} ({}): {}; only their spelling is checked until the next"
                    + " start", build.manager(), build.version(), build.binDir(), e.getMessage());
            return CharacterSets.UNKNOWN;
        } finally {
            try {
                TemplateCache.deleteTree(work);
            } catch (IOException e) {
                LOG.warn("cannot remove {}: {}", work, e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
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
                for (Datastore.Alias alias : d.aliases()) {
                    registered.add(register(alias.datastoreName(), alias.versionName(build.version()), build, true));
                }
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

    /**
     * Registers or updates a version; its character sets are read from the build when it is new, when its build
     * changed, or when they were never read.
     */
    public DatastoreVersionRecord register(String datastoreName, String versionName, ServerBuild build, boolean active) {
        Datastore plugin = datastores.get(build.manager());
        DatastoreRecord ds = store.datastores.upsertDatastore(datastoreName, build.manager());
        Optional<ServerBuild> before = store.datastores.version(ds.id(), versionName).map(DatastoreVersionRecord::build);
        DatastoreVersionRecord v = store.datastores.upsertVersion(ds.id(), versionName, build.version(), build.manager(),
                active, build.source(), build.binDir(), build.baseDir());
        loadParameters(plugin, v);
        if (!before.equals(Optional.of(build)) || store.charsets.find(v.id()).isEmpty()) {
            loadCharacterSets(plugin, v);
        }
        if (ds.defaultVersionId() == null && active) {
            store.datastores.setDefaultVersion(ds.id(), v.id());
        }
        return v;
    }
}
