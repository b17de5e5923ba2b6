package org.jtrove.model.guest;

/**
 * The "image" of a datastore version on the local driver: a directory of installed server binaries.
 * {@code binDir} holds initdb/postgres or mariadbd; {@code baseDir} is the installation root
 * (share files, install scripts); {@code source} says where it came from ("debian" or "maven:G:A:V").
 */
public record ServerBuild(String manager, String version, String binDir, String baseDir, String source) {}
