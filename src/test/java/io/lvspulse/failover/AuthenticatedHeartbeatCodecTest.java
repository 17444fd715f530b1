package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvspulse.testing.MutableClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthenticatedHeartbeatCodecTest {
  private static final HeartbeatKey KEY =
      HeartbeatKey.of("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
  private static final HeartbeatKey OTHER_KEY =
      HeartbeatKey.of("fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII));

  private final MutableClock clock = new MutableClock();
  private final AuthenticatedHeartbeatCodec primary =
      new AuthenticatedHeartbeatCodec(Role.PRIMARY, KEY, clock);
  private final AuthenticatedHeartbeatCodec backup =
      new AuthenticatedHeartbeatCodec(Role.BACKUP, KEY, clock);

  private static RxResult result(HeartbeatCodec.Decoded d) {
    return d instanceof HeartbeatCodec.Rejected r ? r.result() : RxResult.OK;
  }

  @Test
  void the_packet_has_the_documented_layout() {
    decode(primary, backup.encode(HeartbeatState.RUNNING)); // something to echo
    byte[] p = primary.encode(Heartbeat.reporting(HeartbeatState.STOPPED, Optional.of("ipvs")));

    assertThat(p).hasSize(42 + 3 + 4 + 32);
    ByteBuffer b = ByteBuffer.wrap(p);
    assertThat(b.getInt()).isEqualTo(0x4c565350);
    assertThat(new String(p, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("LVSP");
    assertThat(b.get()).isEqualTo((byte) 2); // version
    assertThat(b.get()).isEqualTo((byte) 1); // primary
    assertThat(b.get()).isEqualTo((byte) 1); // kind: heartbeat
    assertThat(b.get()).isEqualTo((byte) 0);
    assertThat(b.getLong()).isEqualTo(primary.runId());
    assertThat(b.getLong()).isEqualTo(1L); // the run's first message
    assertThat(b.getLong()).isEqualTo(backup.runId()); // echo
    assertThat(b.getLong()).isEqualTo(1L);
    assertThat(b.getShort()).isEqualTo((short) 7);
    assertThat(b.get()).isEqualTo((byte) 2); // STOPPED
    assertThat(b.get()).isEqualTo((byte) 2); // local problem
    assertThat(b.get()).isEqualTo((byte) 4);
    assertThat(new String(p, 45, 4, StandardCharsets.UTF_8)).isEqualTo("ipvs");
    assertThat(decode(backup, p))
        .isEqualTo(
            new HeartbeatCodec.Accepted(
                Heartbeat.reporting(HeartbeatState.STOPPED, Optional.of("ipvs")), true));
  }

  @Test
  void a_genuine_heartbeat_is_accepted_with_its_state_and_health() {
    exchange(primary, backup, 2);
    assertThat(decode(backup, primary.encode(HeartbeatState.RUNNING)))
        .isEqualTo(new HeartbeatCodec.Accepted(Heartbeat.healthy(HeartbeatState.RUNNING), false));
    assertThat(decode(backup, primary.encode(HeartbeatState.STOPPED)))
        .isEqualTo(new HeartbeatCodec.Accepted(Heartbeat.healthy(HeartbeatState.STOPPED), false));
  }

  @Test
  void a_forged_heartbeat_is_rejected_whether_signed_with_another_key_or_altered() {
    AuthenticatedHeartbeatCodec attacker =
        new AuthenticatedHeartbeatCodec(Role.PRIMARY, OTHER_KEY, clock);
    byte[] altered = primary.encode(HeartbeatState.STOPPED);
    altered[42] = 1; // STOPPED -> RUNNING without re-signing

    assertThat(result(decode(backup, attacker.encode(HeartbeatState.RUNNING))))
        .isEqualTo(RxResult.BAD_MAC);
    assertThat(result(decode(backup, altered))).isEqualTo(RxResult.BAD_MAC);
  }

  @Test
  void a_replayed_heartbeat_and_an_older_one_are_rejected() {
    exchange(primary, backup, 1);
    byte[] first = primary.encode(HeartbeatState.RUNNING);
    byte[] second = primary.encode(HeartbeatState.RUNNING);
    assertThat(result(decode(backup, first))).isEqualTo(RxResult.OK);
    assertThat(result(decode(backup, second))).isEqualTo(RxResult.OK);

    assertThat(result(decode(backup, second)))
        .as("the last one again: what the second path delivers")
        .isEqualTo(RxResult.DUPLICATE);
    assertThat(result(decode(backup, first))).isEqualTo(RxResult.REPLAY);
  }

  @Test
  void a_new_run_is_accepted_after_one_round_trip_and_never_before() {
    byte[] hello = primary.encode(HeartbeatState.RUNNING);
    assertThat(result(decode(backup, hello))).isEqualTo(RxResult.HANDSHAKE);
    // the answer echoes the primary's message; the primary accepts it (its echo is fresh)
    HeartbeatCodec.Decoded answer = decode(primary, backup.encode(HeartbeatState.STOPPED));
    assertThat(answer).isInstanceOf(HeartbeatCodec.Accepted.class);
    assertThat(((HeartbeatCodec.Accepted) answer).newSession()).isTrue();
    HeartbeatCodec.Decoded next = decode(backup, primary.encode(HeartbeatState.RUNNING));
    assertThat(((HeartbeatCodec.Accepted) next).newSession()).isTrue();
    HeartbeatCodec.Decoded then = decode(backup, primary.encode(HeartbeatState.RUNNING));
    assertThat(((HeartbeatCodec.Accepted) then).newSession()).isFalse();
  }

  @Test
  void a_restarted_sender_is_accepted_again_and_its_old_run_never() {
    exchange(primary, backup, 2);
    byte[] beforeRestart = primary.encode(HeartbeatState.RUNNING);
    for (int i = 0; i < 1000; i++) {
      primary.encode(HeartbeatState.RUNNING);
    }
    assertThat(result(decode(backup, primary.encode(HeartbeatState.RUNNING))))
        .isEqualTo(RxResult.OK);
    AuthenticatedHeartbeatCodec restarted =
        new AuthenticatedHeartbeatCodec(Role.PRIMARY, KEY, clock);

    exchange(restarted, backup, 1);
    assertThat(result(decode(backup, restarted.encode(HeartbeatState.STOPPED))))
        .isEqualTo(RxResult.OK);
    assertThat(result(decode(backup, beforeRestart))).isNotEqualTo(RxResult.OK);
  }

  /**
   * A VM restored from a snapshot: the partner comes back with its old run id and sequences below
   * the last accepted one. Its messages echo our current ones, so they are fresh: accepted.
   */
  @Test
  void a_partner_restored_from_a_vm_snapshot_is_accepted_again() {
    AuthenticatedHeartbeatCodec vm =
        new AuthenticatedHeartbeatCodec(Role.PRIMARY, KEY, clock, 0x5eedL, 1);
    exchange(vm, backup, 3);
    long snapshotAt = vm.nextSequence();
    exchange(vm, backup, 50); // runs on after the snapshot
    AuthenticatedHeartbeatCodec restored =
        new AuthenticatedHeartbeatCodec(Role.PRIMARY, KEY, clock, 0x5eedL, snapshotAt);
    // restored, it receives the backup's current messages (in sequence for it) and echoes them
    exchange(restored, backup, 1);
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(1));
      assertThat(result(decode(backup, restored.encode(HeartbeatState.RUNNING))))
          .as("heartbeat %d of the restored partner", i)
          .isEqualTo(RxResult.OK);
      decode(restored, backup.encode(HeartbeatState.STOPPED));
    }
  }

  /** A replay recorded longer ago than the freshness window is rejected, whatever it echoes. */
  @Test
  void an_old_recording_is_rejected_even_by_a_receiver_that_restarted() {
    exchange(primary, backup, 3);
    byte[] recorded = primary.encode(HeartbeatState.RUNNING); // echoes the backup's run
    clock.advance(Duration.ofSeconds(11));
    assertThat(result(decode(backup, recorded)))
        .as("in sequence for the same run: accepted once (it was never delivered)")
        .isEqualTo(RxResult.OK);
    assertThat(result(decode(backup, recorded))).isEqualTo(RxResult.DUPLICATE);
    AuthenticatedHeartbeatCodec backupRestarted =
        new AuthenticatedHeartbeatCodec(Role.BACKUP, KEY, clock);
    assertThat(result(decode(backupRestarted, recorded))).isEqualTo(RxResult.HANDSHAKE);
  }

  /**
   * Issue 9 item 1: the partner started with its clock 10 minutes fast, was heard, then NTP stepped
   * its clock back and it restarted. Its new sequence numbers were below the last one accepted, and
   * every genuine heartbeat of the new run was rejected as a replay until both restarted. Now a
   * restarted partner is accepted again within a few exchanges, whatever its clock said.
   */
  @Test
  void a_partner_restarted_after_its_clock_was_stepped_back_ten_minutes_is_accepted_again() {
    MutableClock fast = new MutableClock(clock.instant().plus(Duration.ofMinutes(10)));
    AuthenticatedHeartbeatCodec firstRun = new AuthenticatedHeartbeatCodec(Role.PRIMARY, KEY, fast);
    exchange(firstRun, backup, 3);
    assertThat(result(decode(backup, firstRun.encode(HeartbeatState.RUNNING))))
        .isEqualTo(RxResult.OK);
    AuthenticatedHeartbeatCodec restarted =
        new AuthenticatedHeartbeatCodec(Role.PRIMARY, KEY, clock); // the clock stepped back

    exchange(restarted, backup, 3);

    for (int i = 0; i < 5; i++) {
      assertThat(result(decode(backup, restarted.encode(HeartbeatState.RUNNING))))
          .as("genuine heartbeat %d of the restarted partner", i)
          .isEqualTo(RxResult.OK);
    }
    // and its first run's packets stay rejected
    assertThat(result(decode(backup, firstRun.encode(HeartbeatState.RUNNING))))
        .isNotEqualTo(RxResult.OK);
  }

  /** The same with the receiver's clock stepped instead, both ways. */
  @Test
  void clock_steps_of_either_director_change_nothing() {
    exchange(primary, backup, 3);
    clock.advance(Duration.ofMinutes(10));
    exchange(primary, backup, 1);
    assertThat(result(decode(backup, primary.encode(HeartbeatState.RUNNING))))
        .isEqualTo(RxResult.OK);
    clock.advance(Duration.ofMinutes(-20));
    exchange(primary, backup, 1);
    assertThat(result(decode(backup, primary.encode(HeartbeatState.RUNNING))))
        .isEqualTo(RxResult.OK);
    assertThat(result(decode(primary, backup.encode(HeartbeatState.STOPPED))))
        .isEqualTo(RxResult.OK);
  }

  private static HeartbeatCodec.Decoded decode(AuthenticatedHeartbeatCodec c, byte[] p) {
    return c.decode(p, p.length);
  }

  /** {@code rounds} round trips of heartbeats between the two, whatever their verdicts. */
  private static void exchange(
      AuthenticatedHeartbeatCodec a, AuthenticatedHeartbeatCodec b, int rounds) {
    for (int i = 0; i < rounds; i++) {
      decode(b, a.encode(HeartbeatState.RUNNING));
      decode(a, b.encode(HeartbeatState.STOPPED));
    }
  }

  @Test
  void our_own_packets_reflected_back_are_rejected() {
    byte[] mine = backup.encode(HeartbeatState.RUNNING);

    assertThat(result(decode(backup, mine))).isEqualTo(RxResult.WRONG_SOURCE);
  }

  @Test
  void a_plain_pulse_heartbeat_is_rejected_as_unauthenticated() {
    HeartbeatCodec.Decoded d =
        backup.decode(new PlainHeartbeatCodec().encode(HeartbeatState.RUNNING), 4);

    assertThat(result(d)).isEqualTo(RxResult.BAD_MAC);
    assertThat(((HeartbeatCodec.Rejected) d).detail()).contains("unauthenticated");
  }

  @Test
  void wrong_lengths_magics_and_versions_are_rejected() {
    byte[] p = primary.encode(HeartbeatState.RUNNING);
    byte[] badVersion = p.clone();
    badVersion[4] = 1;
    byte[] badMagic = p.clone();
    badMagic[0] = 'X';

    assertThat(result(backup.decode(p, p.length - 1))).isEqualTo(RxResult.BAD_LENGTH);
    assertThat(result(backup.decode(p, 40))).isEqualTo(RxResult.BAD_LENGTH);
    assertThat(result(decode(backup, badMagic))).isEqualTo(RxResult.BAD_MAGIC);
    HeartbeatCodec.Decoded v1 = decode(backup, badVersion);
    assertThat(result(v1)).isEqualTo(RxResult.BAD_MAGIC);
    assertThat(((HeartbeatCodec.Rejected) v1).detail()).contains("upgrade both directors");
  }

  @Test
  void the_key_file_loses_its_trailing_newline_and_must_hold_sixteen_bytes(@TempDir Path dir)
      throws Exception {
    Path good = dir.resolve("key");
    Files.writeString(good, "0123456789abcdef0123456789abcdef\n");
    Path shortKey = dir.resolve("short");
    Files.writeString(shortKey, "tooshort\n");
    AuthenticatedHeartbeatCodec fromFile =
        new AuthenticatedHeartbeatCodec(Role.PRIMARY, HeartbeatKey.read(good), clock);

    exchange(fromFile, backup, 1);
    assertThat(result(decode(backup, fromFile.encode(HeartbeatState.RUNNING))))
        .isEqualTo(RxResult.OK);
    assertThatThrownBy(() -> HeartbeatKey.read(shortKey))
        .isInstanceOf(FailoverConfigException.class)
        .hasMessageContaining("at least 16");
    assertThatThrownBy(() -> HeartbeatKey.read(dir.resolve("missing")))
        .isInstanceOf(FailoverConfigException.class)
        .hasMessageContaining("cannot read");
  }
}
