package io.lvspulse.admin;

import io.lvspulse.monitor.AdminState;

/** Changes the admin state of one real server (the CLI's socket and the HTTP API call it). */
@FunctionalInterface
public interface AdminControl {
  /**
   * Sets real server {@code server} of virtual service {@code virtual} to {@code state}.
   *
   * @param virtual the virtual service's block name in lvs.cf
   * @param server the real server's block name, or its address, or {@code ADDRESS:PORT}
   * @param by who asks, for the log, /status and the state file
   */
  AdminReply change(String virtual, String server, AdminState state, String by);
}
