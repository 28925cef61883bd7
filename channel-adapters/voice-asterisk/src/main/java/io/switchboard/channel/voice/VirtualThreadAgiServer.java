package io.switchboard.channel.voice;

import java.util.concurrent.RejectedExecutionException;
import org.asteriskjava.fastagi.DefaultAgiServer;
import org.asteriskjava.fastagi.MappingStrategy;

/**
 * Asterisk-Java's FastAGI server with every session on a virtual thread of its own (never a Vert.x event loop,
 * never a bounded pool that a few hundred waiting callers would exhaust).
 */
final class VirtualThreadAgiServer extends DefaultAgiServer {
  private final Thread.Builder sessions = Thread.ofVirtual().name("voice-agi-", 0);
  /** Counted down once the server socket is bound (startup() then blocks accepting). */
  final java.util.concurrent.CountDownLatch bound = new java.util.concurrent.CountDownLatch(1);

  VirtualThreadAgiServer(MappingStrategy mapping) {
    super(mapping);
  }

  @Override
  protected org.asteriskjava.util.ServerSocketFacade createServerSocket() throws java.io.IOException {
    var socket = super.createServerSocket();
    bound.countDown();
    return socket;
  }

  @Override
  protected void execute(Runnable command) throws RejectedExecutionException {
    if (isDie()) {
      throw new RejectedExecutionException("FastAGI server is stopping");
    }
    if (command instanceof org.asteriskjava.fastagi.internal.AgiConnectionHandler h) {
      live.add(h);
      sessions.start(() -> {
        try {
          command.run();
        } finally {
          live.remove(h);
        }
      });
      return;
    }
    sessions.start(command);
  }

  private final java.util.Set<org.asteriskjava.fastagi.internal.AgiConnectionHandler> live =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * Closes every live session's connection, as a node that dies would: Asterisk's {@code AGI()} returns on each call
   * and the sample dialplan hands the caller to the next hub node ({@code switchboard-takeover}).
   *
   * @return how many sessions were dropped
   */
  int dropSessions() {
    int n = 0;
    for (var h : live) {
      h.release();
      n++;
    }
    return n;
  }
}
