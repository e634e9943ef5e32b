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

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.*;

/**
 * Resolves {@code group:artifact[:extension[:classifier]]:version} coordinates with their runtime
 * dependencies (Maven Resolver, the library Maven itself uses): the local repository
 * ({@code ~/.m2/repository}, or {@code -Dmaven.repo.local}) first, then the repositories added with
 * {@link #addRepository} in the order added, then Maven Central, as Maven searches a POM's
 * {@code <repositories>} before Central. One per notebook session: used by the {@code %maven} and
 * {@code %mavenRepo} magics.
 */
public final class MavenResolver {
    public static final String CENTRAL = "https://repo.maven.apache.org/maven2/";
    private static final Set<String> SCHEMES = Set.of("http", "https", "file");

    private final Map<String, RemoteRepository> added = new LinkedHashMap<>();

    public static Path localRepository() {
        String p = System.getProperty("maven.repo.local");
        return p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    /**
     * Adds a remote repository for later {@link #resolve} calls; an id given again replaces its URL,
     * and the id {@code central} replaces Maven Central (a mirror).
     *
     * @throws IllegalArgumentException naming the id or URL when either is unusable
     */
    public synchronized RemoteRepository addRepository(String id, String url) {
        if (id == null || id.isBlank() || id.chars().anyMatch(Character::isWhitespace))
            throw new IllegalArgumentException("%mavenRepo: bad repository id '" + id + "' (a word such as 'jitpack')");
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("%mavenRepo: bad URL '" + url + "' for repository " + id + ": " + e.getReason());
        }
        if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme().toLowerCase(Locale.ROOT)))
            throw new IllegalArgumentException("%mavenRepo: URL '" + url + "' for repository " + id + " must start with https://, http:// or file:");
        RemoteRepository repo = new RemoteRepository.Builder(id, "default", uri.toString()).build();
        added.put(id, repo);
        return repo;
    }

    /** The remote repositories asked, in order (the local repository is always asked first). */
    public synchronized List<RemoteRepository> repositories() {
        List<RemoteRepository> all = new ArrayList<>(added.values());
        if (!added.containsKey("central")) all.add(new RemoteRepository.Builder("central", "default", CENTRAL).build());
        return all;
    }

    /** Jar files of the given artifacts and their transitive runtime dependencies. */
    public List<Path> resolve(List<String> coordinates) throws DependencyResolutionException {
        CollectRequest collect = new CollectRequest();
        for (String c : coordinates) {
            try {
                collect.addDependency(new Dependency(new DefaultArtifact(c), JavaScopes.RUNTIME));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("%maven: bad coordinates '" + c + "' (expected group:artifact:version)");
            }
        }
        collect.setRepositories(repositories());
        RepositorySystem system = new RepositorySystemSupplier().get();
        try {
            DefaultRepositorySystemSession session = MavenRepositorySystemUtils.newSession();
            session.setLocalRepositoryManager(system.newLocalRepositoryManager(session, new LocalRepository(localRepository().toFile())));
            DependencyRequest request = new DependencyRequest(collect, DependencyFilterUtils.classpathFilter(JavaScopes.RUNTIME));
            List<Path> jars = new ArrayList<>();
            for (ArtifactResult r : system.resolveDependencies(session, request).getArtifactResults())
                if (r.getArtifact() != null && r.getArtifact().getFile() != null) jars.add(r.getArtifact().getFile().toPath());
            return jars;
        } finally {
            system.shutdown();
        }
    }
}
