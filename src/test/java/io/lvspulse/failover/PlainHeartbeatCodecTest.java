package io.lvspulse.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** The plain heartbeat against pulse's byte layout (docs/reference/piranha-behaviour.md §3.1). */
class PlainHeartbeatCodecTest {
  private static byte[] bytes(int... b) {
    byte[] out = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      out[i] = (byte) b[i];
    }
    return out;
  }

  @Test
  void on_a_little_endian_host_running_is_da_db_ad_bd_and_stopped_is_bd_da_bd_ad() {
    PlainHeartbeatCodec le = new PlainHeartbeatCodec(ByteOrder.LITTLE_ENDIAN);

    assertThat(le.encode(HeartbeatState.RUNNING)).containsExactly(bytes(0xda, 0xdb, 0xad, 0xbd));
    assertThat(le.encode(HeartbeatState.STOPPED)).containsExactly(bytes(0xbd, 0xda, 0xbd, 0xad));
  }

  @Test
  void on_a_big_endian_host_running_is_bd_ad_db_da_and_stopped_is_ad_bd_da_bd() {
    PlainHeartbeatCodec be = new PlainHeartbeatCodec(ByteOrder.BIG_ENDIAN);

    assertThat(be.encode(HeartbeatState.RUNNING)).containsExactly(bytes(0xbd, 0xad, 0xdb, 0xda));
    assertThat(be.encode(HeartbeatState.STOPPED)).containsExactly(bytes(0xad, 0xbd, 0xda, 0xbd));
  }

  @Test
  void the_default_codec_uses_this_hosts_byte_order_as_pulse_does() {
    PlainHeartbeatCodec host = new PlainHeartbeatCodec();
    PlainHeartbeatCodec explicit = new PlainHeartbeatCodec(ByteOrder.nativeOrder());

    assertThat(host.encode(HeartbeatState.RUNNING))
        .containsExactly(explicit.encode(HeartbeatState.RUNNING));
    assertThat(host.encode(HeartbeatState.RUNNING)).hasSize(4);
  }

  @Test
  void pulses_packets_decode_to_their_states() {
    PlainHeartbeatCodec le = new PlainHeartbeatCodec(ByteOrder.LITTLE_ENDIAN);

    assertThat(le.decode(bytes(0xda, 0xdb, 0xad, 0xbd), 4))
        .isEqualTo(new HeartbeatCodec.Accepted(HeartbeatState.RUNNING));
    assertThat(le.decode(bytes(0xbd, 0xda, 0xbd, 0xad), 4))
        .isEqualTo(new HeartbeatCodec.Accepted(HeartbeatState.STOPPED));
  }

  @Test
  void fos_magics_are_rejected_as_incompatible() {
    PlainHeartbeatCodec le = new PlainHeartbeatCodec(ByteOrder.LITTLE_ENDIAN);
    for (int magic :
        new int[] {
          PlainHeartbeatCodec.FOS_RUNNING,
          PlainHeartbeatCodec.FOS_STOPPED,
          PlainHeartbeatCodec.FOS_STOPME,
          PlainHeartbeatCodec.HOLD,
          PlainHeartbeatCodec.HELD
        }) {
      byte[] p =
          java.nio.ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(magic).array();

      HeartbeatCodec.Decoded d = le.decode(p, 4);

      assertThat(d).isInstanceOf(HeartbeatCodec.Rejected.class);
      assertThat(((HeartbeatCodec.Rejected) d).result()).isEqualTo(RxResult.BAD_MAGIC);
      assertThat(((HeartbeatCodec.Rejected) d).detail()).contains("incompatible").contains("FOS");
    }
  }

  @Test
  void a_magic_in_the_other_byte_order_is_rejected_with_a_clear_reason() {
    PlainHeartbeatCodec le = new PlainHeartbeatCodec(ByteOrder.LITTLE_ENDIAN);

    HeartbeatCodec.Decoded d = le.decode(bytes(0xbd, 0xad, 0xdb, 0xda), 4);

    assertThat(d)
        .isEqualTo(
            new HeartbeatCodec.Rejected(
                RxResult.BAD_MAGIC,
                "incompatible heartbeat 0xdadbadbd (an LVS magic in the other byte order: the partner's endianness differs)"));
  }

  @Test
  void anything_but_exactly_four_bytes_is_a_bad_length_even_with_a_valid_magic_in_front() {
    PlainHeartbeatCodec le = new PlainHeartbeatCodec(ByteOrder.LITTLE_ENDIAN);

    assertThat(((HeartbeatCodec.Rejected) le.decode(bytes(0xda, 0xdb, 0xad, 0xbd, 0), 5)).result())
        .isEqualTo(RxResult.BAD_LENGTH);
    assertThat(((HeartbeatCodec.Rejected) le.decode(bytes(0xda, 0xdb, 0xad), 3)).result())
        .isEqualTo(RxResult.BAD_LENGTH);
    assertThat(((HeartbeatCodec.Rejected) le.decode(new byte[0], 0)).result())
        .isEqualTo(RxResult.BAD_LENGTH);
  }

  @Test
  void an_unknown_magic_is_rejected() {
    PlainHeartbeatCodec le = new PlainHeartbeatCodec(ByteOrder.LITTLE_ENDIAN);

    assertThat(((HeartbeatCodec.Rejected) le.decode(bytes(1, 2, 3, 4), 4)).result())
        .isEqualTo(RxResult.BAD_MAGIC);
  }
}
