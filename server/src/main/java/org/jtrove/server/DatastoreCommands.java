package org.jtrove.server;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jtrove.guestagent.Datastore;
import org.jtrove.guestagent.Datastores;
import org.jtrove.store.DatastoreRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.MetadataStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code jtrove manage datastore-update} and {@code datastore-list}: datastores by themselves, as Trove's
 * {@code trove-manage datastore_update NAME DEFAULT_VERSION} registers them; deployment tools (the Puppet module's
 * {@code jtrove_datastore}) read them back with {@code --tsv}.
 */
final class DatastoreCommands {
    private DatastoreCommands() {}

    /** One tab-separated line; an absent value is empty. Tabs and line breaks never occur in these names. */
    static void printTsv(String... fields) {
        System.out.println(Arrays.stream(fields).map(f -> f == null ? "" : f).collect(Collectors.joining("\t")));
    }

    @Command(name = "datastore-update", mixinStandardHelpOptions = true,
            description = "Register a datastore or set its default version (like trove-manage datastore_update).")
    static final class Update extends ManageCommand.StoreCommand {
        @Parameters(index = "0", description = "datastore name, e.g. mysql")
        String name;

        @Option(names = "--manager", required = true, description = "its guest agent plugin: postgresql, mysql or redis")
        String manager;

        @Option(names = "--default-version", description = "name of a registered version to make the default")
        String defaultVersion;

        @Override
        int run(MetadataStore store) {
            if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
                System.err.println("invalid datastore name " + name + ": use 1-64 of A-Z a-z 0-9 _ . -");
                return 2;
            }
            Datastores plugins = Datastores.builtIn();
            if (plugins.find(manager).isEmpty()) {
                System.err.println("no guest agent plugin for manager " + manager + "; one of: "
                        + plugins.all().stream().map(Datastore::manager).collect(Collectors.joining(", ")));
                return 2;
            }
            DatastoreRecord ds = store.datastores.upsertDatastore(name, manager);
            if (!ds.manager().equals(manager)) {
                System.err.println("datastore " + name + " exists with manager " + ds.manager()
                        + "; a datastore keeps its manager (register another datastore name instead)");
                return 1;
            }
            if (defaultVersion != null) {
                Optional<DatastoreVersionRecord> v = store.datastores.version(ds.id(), defaultVersion);
                if (v.isEmpty()) {
                    System.err.println("datastore " + name + " has no version " + defaultVersion
                            + "; register it first with datastore-version-update");
                    return 1;
                }
                store.datastores.setDefaultVersion(ds.id(), v.get().id());
            }
            System.out.printf("datastore %s (%s): id %s%n", name, manager, ds.id());
            return 0;
        }
    }

    @Command(name = "datastore-list", mixinStandardHelpOptions = true, description = "List datastores.")
    static final class List extends ManageCommand.StoreCommand {
        @Option(names = "--tsv", description = "tab-separated: name, manager, default version (for deployment tools)")
        boolean tsv;

        @Override
        int run(MetadataStore store) {
            for (DatastoreRecord ds : store.datastores.list()) {
                String def = ds.defaultVersionId() == null ? null
                        : store.datastores.version(ds.defaultVersionId()).map(DatastoreVersionRecord::name).orElse(null);
                if (tsv) {
                    printTsv(ds.name(), ds.manager(), def);
                } else {
                    System.out.printf("%-12s %-12s %s%n", ds.name(), ds.manager(), def == null ? "(no default version)" : def);
                }
            }
            return 0;
        }
    }
}
