package org.jtrove.api;

import io.javalin.http.Context;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What a request reaches by id: a resource of the project in its path, or, for an admin's token, of any project.
 * As Trove, where {@code DatabaseModelBase.find_by} skips the tenant check for an admin context, so that an admin
 * acts on any project's instance (and its databases, users, root and backups) through the admin's own path.
 */
final class Reach {
    private Reach() {}

    /**
     * @param anyProject finds by id alone (used for an admin's token)
     * @param inProject finds by (project, id) (used for everyone else)
     */
    static <T> Optional<T> find(Context ctx, String id, Function<String, Optional<T>> anyProject,
                                BiFunction<String, String, Optional<T>> inProject) {
        return Auth.reachesAllProjects(ctx) ? anyProject.apply(id) : inProject.apply(ctx.pathParam("project"), id);
    }
}
