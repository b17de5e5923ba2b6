package org.jtrove.guestagent.redis;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Jedis sockets bound to the instance's own address before they connect to it, so the guest agent's connections
 * come from where the instance's access rules always admit jtrove (see {@code InstanceContext}).
 */
final class FromInstanceAddress implements JedisSocketFactory {
    private final String address;
    private final int port;
    private final int connectTimeoutMs;
    private final int socketTimeoutMs;

    FromInstanceAddress(String address, int port, int connectTimeoutMs, int socketTimeoutMs) {
        this.address = address;
        this.port = port;
        this.connectTimeoutMs = connectTimeoutMs;
        this.socketTimeoutMs = socketTimeoutMs;
    }

    @Override
    public Socket createSocket() {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            socket.bind(new InetSocketAddress(address, 0));
            socket.connect(new InetSocketAddress(address, port), connectTimeoutMs);
            socket.setSoTimeout(socketTimeoutMs);
            return socket;
        } catch (IOException e) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // the connect failure is what matters
            }
            throw new JedisConnectionException("cannot connect to " + address + ":" + port + ": " + e.getMessage(), e);
        }
    }
}
