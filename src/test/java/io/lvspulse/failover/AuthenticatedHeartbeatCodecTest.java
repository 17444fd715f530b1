package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lvspulse.testing.MutableClock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
    byte[] p = primary.encode(Role.PRIMARY, HeartbeatState.STOPPED, 0x0102030405060708L);

    assertThat(p).hasSize(48);
    ByteBuffer b = ByteBuffer.wrap(p);
    assertThat(b.getInt()).isEqualTo(0x4c565350);
    assertThat(new String(p, 0, 4, StandardCharsets.US_ASCII)).isEqualTo("LVSP");
    assertThat(b.get()).isEqualTo((byte) 1); // version
    assertThat(b.get()).isEqualTo((byte) 1); // primary
    assertThat(b.get()).isEqualTo((byte) 2); // STOPPED
    assertThat(b.get()).isEqualTo((byte) 0);
    assertThat(b.getLong()).isEqualTo(0x0102030405060708L);
  }

  @Test
  void a_genuine_heartbeat_is_accepted_with_its_state() {
    assertThat(backup.decode(primary.encode(HeartbeatState.RUNNING), 48))
        .isEqualTo(new HeartbeatCodec.Accepted(HeartbeatState.RUNNING));
    assertThat(backup.decode(primary.encode(HeartbeatState.STOPPED), 48))
        .isEqualTo(new HeartbeatCodec.Accepted(HeartbeatState.STOPPED));
  }

  @Test
  void a_forged_heartbeat_is_rejected_whether_signed_with_another_key_or_altered() {
    AuthenticatedHeartbeatCodec attacker =
        new AuthenticatedHeartbeatCodec(Role.PRIMARY, OTHER_KEY, clock);
    byte[] altered = primary.encode(HeartbeatState.STOPPED);
    altered[6] = 1; // STOPPED -> RUNNING without re-signing

    assertThat(result(backup.decode(attacker.encode(HeartbeatState.RUNNING), 48)))
        .isEqualTo(RxResult.BAD_MAC);
    assertThat(result(backup.decode(altered, 48))).isEqualTo(RxResult.BAD_MAC);
  }

  @Test
  void a_replayed_heartbeat_and_an_older_one_are_rejected() {
    byte[] first = primary.encode(HeartbeatState.RUNNING);
    byte[] second = primary.encode(HeartbeatState.RUNNING);
    assertThat(result(backup.decode(first, 48))).isEqualTo(RxResult.OK);
    assertThat(result(backup.decode(second, 48))).isEqualTo(RxResult.OK);

    assertThat(result(backup.decode(second, 48))).isEqualTo(RxResult.REPLAY);
    assertThat(result(backup.decode(first, 48))).isEqualTo(RxResult.REPLAY);
  }

  @Test
  void a_restarted_sender_continues_above_its_old_sequence_numbers() {
    byte[] beforeRestart = primary.encode(HeartbeatState.RUNNING);
    for (int i = 0; i < 1000; i++) {
      primary.encode(HeartbeatState.RUNNING);
    }
    assertThat(result(backup.decode(primary.encode(HeartbeatState.RUNNING), 48)))
        .isEqualTo(RxResult.OK);
    clock.advance(Duration.ofMillis(3));
    AuthenticatedHeartbeatCodec restarted =
        new AuthenticatedHeartbeatCodec(Role.PRIMARY, KEY, clock);

    assertThat(result(backup.decode(restarted.encode(HeartbeatState.STOPPED), 48)))
        .isEqualTo(RxResult.OK);
    assertThat(result(backup.decode(beforeRestart, 48))).isEqualTo(RxResult.REPLAY);
  }

  @Test
  void our_own_packets_reflected_back_are_rejected() {
    byte[] mine = backup.encode(HeartbeatState.RUNNING);

    assertThat(result(backup.decode(mine, 48))).isEqualTo(RxResult.WRONG_SOURCE);
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
    badVersion[4] = 2;
    byte[] badMagic = p.clone();
    badMagic[0] = 'X';

    assertThat(result(backup.decode(p, 47))).isEqualTo(RxResult.BAD_LENGTH);
    assertThat(result(backup.decode(badMagic, 48))).isEqualTo(RxResult.BAD_MAGIC);
    assertThat(result(backup.decode(badVersion, 48))).isEqualTo(RxResult.BAD_MAGIC);
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

    assertThat(result(backup.decode(fromFile.encode(HeartbeatState.RUNNING), 48)))
        .isEqualTo(RxResult.OK);
    assertThatThrownBy(() -> HeartbeatKey.read(shortKey))
        .isInstanceOf(FailoverConfigException.class)
        .hasMessageContaining("at least 16");
    assertThatThrownBy(() -> HeartbeatKey.read(dir.resolve("missing")))
        .isInstanceOf(FailoverConfigException.class)
        .hasMessageContaining("cannot read");
  }
}
