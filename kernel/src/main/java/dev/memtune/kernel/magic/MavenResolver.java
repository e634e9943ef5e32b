package dev.memtune.kernel.magic;

import org.apache.maven.repository.internal.MavenRepositorySystemUtils;
import org.eclipse.aether.DefaultRepositorySystemSession;
import org.eclipse.aether.RepositorySystem;
import org.eclipse.aether.artifact.DefaultArtifact;
import org.eclipse.aether.collection.CollectRequest;
import org.eclipse.aether.graph.Dependency;
import org.eclipse.aether.repository.LocalRepository;
import org.eclipse.aether.repository.RemoteRepository;
import org.eclipse.aether.resolution.ArtifactResult;
import org.eclipse.aether.resolution.DependencyRequest;
import org.eclipse.aether.resolution.DependencyResolutionException;
import org.eclipse.aether.supplier.RepositorySystemSupplier;
import org.eclipse.aether.util.artifact.JavaScopes;
import org.eclipse.aether.util.filter.DependencyFilterUtils;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Resolves {@code group:artifact[:extension[:classifier]]:version} coordinates with their runtime
 * dependencies: the local repository ({@code ~/.m2/repository}, or {@code -Dmaven.repo.local})
 * first, then Maven Central. Used by the {@code %maven} magic.
 */
public final class MavenResolver {
    public static final String CENTRAL = "https://repo.maven.apache.org/maven2/";

    private MavenResolver() {}

    public static Path localRepository() {
        String p = System.getProperty("maven.repo.local");
        return p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /** Jar files of the given artifacts and their transitive runtime dependencies. */
    public static List<Path> resolve(List<String> coordinates) throws DependencyResolutionException {
        RepositorySystem system = new RepositorySystemSupplier().get();
        DefaultRepositorySystemSession session = MavenRepositorySystemUtils.newSession();
        session.setLocalRepositoryManager(system.newLocalRepositoryManager(session, new LocalRepository(localRepository().toFile())));
        RemoteRepository central = new RemoteRepository.Builder("central", "default", CENTRAL).build();
        CollectRequest collect = new CollectRequest();
        for (String c : coordinates) {
            try {
                collect.addDependency(new Dependency(new DefaultArtifact(c), JavaScopes.RUNTIME));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("%maven: bad coordinates '" + c + "' (expected group:artifact:version)");
            }
        }
        collect.addRepository(central);
        DependencyRequest request = new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
        List<Path> jars = new ArrayList<>();
        for (ArtifactResult r : system.resolveDependencies(session, request).getArtifactResults())
            if (r.getArtifact() != null && r.getArtifact().getFile() != null) jars.add(r.getArtifact().getFile().toPath());
        system.shutdown();
        return jars;
    }
}
