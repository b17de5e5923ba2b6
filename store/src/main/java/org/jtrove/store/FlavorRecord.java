package org.jtrove.store;

public record FlavorRecord(String id, String name, int ram, int vcpus, int disk, int ephemeral) {}
