package dev.memtune.hub;

import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactRequest;
import org.eclipse.aether.resolution.ArtifactResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Resolves a jar with Maven's own resolver: the local repository ({@code -Dmaven.repo.local}, default
 * {@code ~/.m2/repository}) first, then Maven Central, downloading into the local repository like {@code mvn}.
 */
final class MavenArtifacts {
    static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

    private MavenArtifacts() {}

    static Path localRepository() {
        String p = System.getProperty("maven.repo.local");
        return p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /** The local file of {@code group:artifact:version} (jar), downloading it if needed. */
    static Path resolve(String coordinates) throws IOException {
        RepositorySystem system = new RepositorySystemSupplier().get();
        try {
            DefaultRepositorySystemSession session = MavenRepositorySystemUtils.newSession();
            session.setLocalRepositoryManager(system.newLocalRepositoryManager(session, new LocalRepository(localRepository().toFile())));
            RemoteRepository central = new RemoteRepository.Builder("central", "default", CENTRAL).build();
            ArtifactRequest req = new ArtifactRequest(new DefaultArtifact(coordinates), List.of(central), null);
            return system.resolveArtifact(session, req).getArtifact().getFile().toPath();
        } catch (ArtifactResolutionException | IllegalArgumentException e) {
            throw new IOException("cannot resolve " + coordinates + " (local repository " + localRepository() + ", remote " + CENTRAL + "): "
                + e.getMessage(), e);
        } finally {
            system.shutdown();
        }
    }
}
