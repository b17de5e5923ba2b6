package org.jtrove.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jtrove.guestagent.Datastore;
import org.jtrove.guestagent.TemplateCache;
import org.jtrove.model.guest.ServerBuild;

/**
 * Server builds shipped as Maven artifacts (e.g. Zonky's PostgreSQL 13-18): fetched into the local Maven
 * repository with {@code mvn dependency:get} and unpacked once under {@code STATE/builds}.
 */
final class MavenBuilds {
    private final Path buildsDir;
    private final Path localRepository;

    MavenBuilds(Path stateDir) {
        this.buildsDir = stateDir.resolve("builds");
        this.localRepository = Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /** Fetches (if needed) and unpacks (once) the build {@code group:artifact:version} of {@code datastore}. */
    ServerBuild importBuild(Datastore datastore, String coordinates) throws Exception {
        String[] gav = coordinates.split(":");
        if (gav.length != 3 || !datastore.mavenArtifacts().contains(gav[0] + ":" + gav[1])
                || !gav[2].matches("[0-9A-Za-z.-]{1,40}")) {
            throw new IllegalArgumentException(coordinates + " is not a known " + datastore.datastoreName()
                    + " build; known artifacts: " + datastore.mavenArtifacts());
        }
        Path target = buildsDir.resolve(gav[1] + "-" + gav[2]);
        Path jar = jar(gav);
        if (!Files.exists(jar)) {
            fetch(coordinates);
        }
        Files.createDirectories(buildsDir);
        setReadable(buildsDir);
        Path work = Files.createTempDirectory(buildsDir, gav[1] + ".unpack-");
        try {
            ServerBuild unpacked = datastore.unpackArtifact(coordinates, jar, work);
            if (!Files.exists(target.resolve("bin"))) {
                setReadable(work);
                TemplateCache.deleteTree(target);
                Files.move(work, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
            return new ServerBuild(unpacked.manager(), unpacked.version(),
                    unpacked.binDir().replace(work.toString(), target.toString()),
                    unpacked.baseDir().replace(work.toString(), target.toString()), unpacked.source());
        } finally {
            TemplateCache.deleteTree(work);
        }
    }

    /** Builds already in the local Maven repository, for discovery (which never downloads). */
    List<String> cachedCoordinates(Datastore datastore) throws IOException {
        List<String> out = new ArrayList<>();
        for (String ga : datastore.mavenArtifacts()) {
            String[] parts = ga.split(":");
            Path dir = localRepository.resolve(parts[0].replace('.', '/')).resolve(parts[1]);
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> versions = Files.list(dir)) {
                versions.filter(v -> Files.exists(v.resolve(parts[1] + "-" + v.getFileName() + ".jar")))
                        .map(v -> ga + ":" + v.getFileName()).sorted().forEach(out::add);
            }
        }
        return out;
    }

    private Path jar(String[] gav) {
        return localRepository.resolve(gav[0].replace('.', '/')).resolve(gav[1]).resolve(gav[2])
                .resolve(gav[1] + "-" + gav[2] + ".jar");
    }

    private static void fetch(String coordinates) throws IOException, InterruptedException {
        System.err.println("fetching " + coordinates + " from Maven Central...");
        Process mvn = new ProcessBuilder("mvn", "-B", "-q", "dependency:get", "-Dartifact=" + coordinates, "-Dtransitive=false")
                .redirectErrorStream(true).start();
        String out = new String(mvn.getInputStream().readAllBytes());
        if (!mvn.waitFor(10, TimeUnit.MINUTES) || mvn.exitValue() != 0) {
            throw new IllegalStateException("cannot fetch " + coordinates + " with Maven: " + out.strip());
        }
    }

    /** Builds run as the unprivileged database user: everything readable, directories enterable. */
    private static void setReadable(Path dir) throws IOException, InterruptedException {
        new ProcessBuilder("chmod", "-R", "o+rX,g+rX", dir.toString()).start().waitFor();
    }
}
