package io.lvspulse.probe.tftp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TftpCodecTest {
  private static final HexFormat HEX = HexFormat.of();

  private static byte[] bytes(TftpPacket p) {
    ByteBuffer b = p.encode();
    byte[] a = new byte[b.remaining()];
    b.get(a);
    return a;
  }

  private static TftpPacket decodeOk(String hex) {
    TftpCodec.DecodeResult r = TftpCodec.decode(HEX.parseHex(hex));
    assertThat(r).isInstanceOf(TftpCodec.Decoded.class);
    return ((TftpCodec.Decoded) r).packet();
  }

  private static String rejection(byte[] b) {
    TftpCodec.DecodeResult r = TftpCodec.decode(b);
    assertThat(r).isInstanceOf(TftpCodec.Rejected.class);
    return ((TftpCodec.Rejected) r).reason();
  }

  @Test
  void the_connect_rrq_is_byte_for_byte_what_the_lab_probe_sent() {
    assertThat(HEX.formatHex(bytes(new TftpPacket.Rrq("NaGiOs_ChEcK_FiLe", "octet"))))
        .isEqualTo("00014e6147694f735f436845634b5f46694c65006f6374657400");
  }

  @Test
  void an_rrq_with_options_keeps_their_order() {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("blksize", "1024");
    o.put("tsize", "0");
    o.put("timeout", "1");
    assertThat(HEX.formatHex(bytes(new TftpPacket.Rrq("hello.txt", "octet", o))))
        .isEqualTo(
            "000168656c6c6f2e747874006f6374657400626c6b73697a650031303234007473697a6500300074696d656f7574003100");
  }

  @Test
  void tftpd_hpas_file_not_found_decodes_as_error_one() {
    TftpPacket p = decodeOk("0005000146696c65206e6f7420666f756e6400");
    assertThat(p).isEqualTo(new TftpPacket.Error(1, "File not found"));
  }

  @Test
  void dnsmasqs_longer_not_found_text_decodes_too() {
    String msg = "file /var/tmp/root/NaGiOs_ChEcK_FiLe not found for 127.0.0.1";
    byte[] b = bytes(new TftpPacket.Error(1, msg));
    assertThat(TftpCodec.decode(b)).isEqualTo(new TftpCodec.Decoded(new TftpPacket.Error(1, msg)));
  }

  @Test
  void atftpds_oack_in_its_own_order_decodes() {
    TftpPacket p =
        decodeOk("00067473697a65003630300074696d656f7574003100626c6b73697a65003130323400");
    assertThat(p).isInstanceOf(TftpPacket.Oack.class);
    TftpPacket.Oack o = (TftpPacket.Oack) p;
    assertThat(o.options().keySet()).containsExactly("tsize", "timeout", "blksize");
    assertThat(o.option("BLKSIZE")).isEqualTo("1024");
  }

  @Test
  void data_and_ack_decode() {
    assertThat(decodeOk("0003000168656c6c6f"))
        .isEqualTo(
            new TftpPacket.Data(1, "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    assertThat(decodeOk("0003ffff")).isEqualTo(new TftpPacket.Data(65535, new byte[0]));
    assertThat(decodeOk("0004fffe")).isEqualTo(new TftpPacket.Ack(65534));
  }

  static Stream<Arguments> everyKind() {
    return Stream.of(
        Arguments.of(new TftpPacket.Rrq("a", "netascii")),
        Arguments.of(new TftpPacket.Rrq("dir/file.bin", "OCTET", Map.of("blksize", "1428"))),
        Arguments.of(new TftpPacket.Wrq("up", "octet", Map.of("tsize", "12"))),
        Arguments.of(new TftpPacket.Data(0, new byte[0])),
        Arguments.of(new TftpPacket.Data(7, new byte[TftpPacket.MAX_BLOCK_SIZE])),
        Arguments.of(new TftpPacket.Ack(0)),
        Arguments.of(new TftpPacket.Error(8, "")),
        Arguments.of(new TftpPacket.Oack(Map.of("blksize", "8"))));
  }

  @ParameterizedTest
  @MethodSource("everyKind")
  void every_packet_kind_survives_a_round_trip(TftpPacket p) {
    assertThat(TftpCodec.decode(bytes(p))).isEqualTo(new TftpCodec.Decoded(p));
  }

  static Stream<Arguments> malformed() {
    return Stream.of(
        Arguments.of("", "too short"),
        Arguments.of("00", "too short"),
        Arguments.of("0000", "unknown opcode 0"),
        Arguments.of("0007", "unknown opcode 7"),
        Arguments.of("ff05", "unknown opcode"),
        Arguments.of("0003", "no block number"),
        Arguments.of("000300", "no block number"),
        Arguments.of("0004", "ACK must be 4 bytes"),
        Arguments.of("000400010000", "ACK must be 4 bytes"),
        Arguments.of("00050001", "truncated"),
        Arguments.of("000500014142", "not NUL-terminated"),
        Arguments.of("00050001410042", "after its message"),
        Arguments.of("0006", "without options"),
        Arguments.of("0006626c6b73697a6500", "no NUL-terminated value"),
        Arguments.of("0006626c6b73697a650038", "no NUL-terminated value"),
        Arguments.of("00060000380", "option"),
        Arguments.of("0006626c6b73697a65003800626c6b73697a65003800", "repeats option"),
        Arguments.of("000100", "empty file name"),
        Arguments.of("00016100", "mode is not NUL-terminated"),
        Arguments.of("000161006f63746574", "mode is not NUL-terminated"),
        Arguments.of("0001610062696e61727900", "unknown mode"),
        Arguments.of("000161006f637465740061", "option name is not NUL-terminated"),
        Arguments.of("000261006f6374657400", null));
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void malformed_packets_are_rejected_with_a_reason(String hex, String reasonPart) {
    byte[] b = HEX.parseHex(hex.length() % 2 == 0 ? hex : hex + "0");
    if (reasonPart == null) {
      assertThat(TftpCodec.decode(b)).isInstanceOf(TftpCodec.Decoded.class);
      return;
    }
    assertThat(rejection(b)).contains(reasonPart);
  }

  @Test
  void a_data_payload_larger_than_the_biggest_blksize_is_oversized() {
    byte[] b = new byte[4 + TftpPacket.MAX_BLOCK_SIZE + 1];
    b[1] = 3;
    assertThat(rejection(b)).contains("oversized");
  }

  @Test
  void option_text_must_be_printable_ascii() {
    assertThat(rejection(HEX.parseHex("0006626c6b0173697a65003800")))
        .contains("non-ASCII option name");
    assertThat(rejection(HEX.parseHex("0006626c6b73697a6500ff00"))).contains("non-ASCII value");
  }

  @Test
  void decoding_leaves_the_callers_buffer_position_alone() {
    ByteBuffer b = ByteBuffer.wrap(HEX.parseHex("0004fffe"));
    TftpCodec.decode(b);
    assertThat(b.position()).isZero();
  }

  @Test
  void packets_that_cannot_be_encoded_cannot_be_built() {
    assertThatThrownBy(() -> new TftpPacket.Rrq("", "octet"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TftpPacket.Rrq("f", "binary"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TftpPacket.Ack(65536))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TftpPacket.Error(1, "a\0b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TftpPacket.Oack(Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TftpPacket.Data(1, new byte[TftpPacket.MAX_BLOCK_SIZE + 1]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
