package io.lvspulse.director;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.config.LvsConfig;
import io.lvspulse.config.LvsConfigParser;
import io.lvspulse.config.RealServer;
import io.lvspulse.config.VirtualService;
import io.lvspulse.ipvs.IpvsCommand;
import io.lvspulse.ipvs.IpvsPlanner;
import io.lvspulse.ipvs.IpvsTable;
import io.lvspulse.ipvs.ServiceKey;
import io.lvspulse.monitor.Health;
import io.lvspulse.monitor.MonitorSnapshot;
import io.lvspulse.monitor.ServerId;
import io.lvspulse.monitor.ServerView;
import io.lvspulse.probe.ProbeResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EcmpTablesTest {
  static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");
  static final ServiceKey TFTP = ServiceKey.fwmark(1);

  /** ECMP config whose servers are listed in {@code order} (addresses). */
  static LvsConfig config(List<String> order, String extra) throws Exception {
    StringBuilder servers = new StringBuilder();
    for (String a : order) {
      servers.append(
          "    server s%s {\n        address = %s\n        active = 1\n        weight = %d\n    }\n"
              .formatted(a.replace('.', '_'), a, a.endsWith(".3") ? 2 : 1));
    }
    return new LvsConfigParser()
        .parse(
            "t.cf",
            """
            director_mode = ecmp
            network = direct
            udp_timeout = 10
            virtual tftp {
                active = 1
                address = 203.0.113.10 lo
                fwmark = 1
                port = 69
                protocol = udp
                scheduler = wlc
                persistent = 45
                quiesce_server = 0
                send_program = "/bin/true %%h"
            %s%s}
            """
                .formatted(extra, servers))
        .config();
  }

  static ServerView view(VirtualService v, RealServer rs, Health h, boolean probed) {
    return new ServerView(
        ServerId.of(v.name(), rs.address(), rs.port()),
        v,
        rs,
        h,
        h == Health.UP,
        h == Health.UP ? 1 : 0, // a ramping weight: ECMP must ignore it
        false,
        Optional.empty(),
        T0,
        probed ? Optional.of(ProbeResult.ok("ok", Duration.ofMillis(1))) : Optional.empty(),
        probed ? Optional.of(T0) : Optional.empty(),
        0,
        0,
        "fake");
  }

  static MonitorSnapshot snapshot(LvsConfig c, Map<String, Health> health) {
    VirtualService v = c.virtuals().get(0);
    List<ServerView> views = new ArrayList<>();
    for (RealServer rs : v.servers()) {
      Health h = health.getOrDefault(rs.address().getHostAddress(), Health.UNKNOWN);
      views.add(view(v, rs, h, h != Health.UNKNOWN));
    }
    return new MonitorSnapshot(c, views, T0, T0);
  }

  static List<String> reversed(List<String> l) {
    List<String> r = new ArrayList<>(l);
    java.util.Collections.reverse(r);
    return r;
  }

  static List<String> lines(IpvsTable t) {
    return t.toSaveLines();
  }

  @Test
  void every_virtual_is_mh_with_fallback_and_never_persistent() throws Exception {
    LvsConfig c = config(List.of("10.0.0.2"), "");
    assertThat(lines(EcmpTables.build(snapshot(c, Map.of()))))
        .first()
        .isEqualTo("-A -f 1 -s mh -b mh-fallback");
    LvsConfig withPort = config(List.of("10.0.0.2"), "    mh_port = 1\n");
    assertThat(lines(EcmpTables.allHealthy(withPort)))
        .first()
        .isEqualTo("-A -f 1 -s mh -b mh-fallback,mh-port");
  }

  @Test
  void servers_are_in_canonical_order_whatever_the_file_order() throws Exception {
    List<String> fileOrder = List.of("200.1.1.1", "10.0.0.3", "192.168.1.1", "10.0.0.2");
    LvsConfig c = config(fileOrder, "");
    assertThat(lines(EcmpTables.allHealthy(c)))
        .containsExactly(
            "-A -f 1 -s mh -b mh-fallback",
            "-a -f 1 -r 10.0.0.2:0 -g -w 1",
            "-a -f 1 -r 10.0.0.3:0 -g -w 2",
            "-a -f 1 -r 192.168.1.1:0 -g -w 1",
            "-a -f 1 -r 200.1.1.1:0 -g -w 1");
    LvsConfig reversed = config(reversed(fileOrder), "");
    assertThat(lines(EcmpTables.allHealthy(reversed))).isEqualTo(lines(EcmpTables.allHealthy(c)));
  }

  @Test
  void the_canonical_order_compares_addresses_unsigned_then_ports() {
    List<InetSocketAddress> l =
        new ArrayList<>(
            List.of(
                new InetSocketAddress("200.0.0.1", 69),
                new InetSocketAddress("10.0.0.1", 70),
                new InetSocketAddress("10.0.0.1", 69),
                new InetSocketAddress("127.255.255.255", 1),
                new InetSocketAddress("128.0.0.0", 1)));
    l.sort(EcmpTables.CANONICAL);
    assertThat(l.stream().map(a -> a.getAddress().getHostAddress() + ":" + a.getPort()))
        .containsExactly(
            "10.0.0.1:69", "10.0.0.1:70", "127.255.255.255:1", "128.0.0.0:1", "200.0.0.1:69");
  }

  @Test
  void the_canonical_order_puts_ipv4_first_then_ipv6_by_unsigned_address() {
    List<InetSocketAddress> l =
        new ArrayList<>(
            List.of(
                new InetSocketAddress("fd00::2", 69),
                new InetSocketAddress("8000::1", 69),
                new InetSocketAddress("7fff:ffff::1", 69),
                new InetSocketAddress("2001:db8::10", 69),
                new InetSocketAddress("2001:db8::3", 69),
                new InetSocketAddress("192.168.0.2", 69),
                new InetSocketAddress("10.0.0.2", 69)));
    l.sort(EcmpTables.CANONICAL);
    // Unsigned: fd00:: and 8000:: after 7fff::, whatever their sign as bytes or 32-bit words.
    // ipvsadm's own sort (ipvs_cmp_dests: ntohl(a) - ntohl(b) as an int) is not a total order
    // when the first differing words are 2^31 or more apart, so -L -n may print these in another
    // order; the kernel's list (-L -n --nosort) is what lvs-pulse keeps canonical.
    assertThat(l.stream().map(io.lvspulse.net.Addresses::canonical))
        .containsExactly(
            "10.0.0.2:69",
            "192.168.0.2:69",
            "[2001:db8::3]:69",
            "[2001:db8::10]:69",
            "[7fff:ffff::1]:69",
            "[8000::1]:69",
            "[fd00::2]:69");
  }

  @Test
  void every_server_is_in_the_table_at_its_configured_weight_when_up_and_at_0_otherwise()
      throws Exception {
    LvsConfig c = config(List.of("10.0.0.2", "10.0.0.3", "10.0.0.4"), "");
    IpvsTable t =
        EcmpTables.build(snapshot(c, Map.of("10.0.0.2", Health.DOWN, "10.0.0.3", Health.UP)));
    assertThat(lines(t))
        .containsExactly(
            "-A -f 1 -s mh -b mh-fallback",
            "-a -f 1 -r 10.0.0.2:0 -g -w 0",
            "-a -f 1 -r 10.0.0.3:0 -g -w 2",
            "-a -f 1 -r 10.0.0.4:0 -g -w 0");
    assertThat(t.addWeight(TFTP, new InetSocketAddress("10.0.0.2", 0))).isEqualTo(1);
    assertThat(t.addWeight(TFTP, new InetSocketAddress("10.0.0.3", 0))).isEqualTo(2);
  }

  @Test
  void a_server_adopted_from_the_kernel_at_a_weight_keeps_its_configured_weight_until_probed()
      throws Exception {
    LvsConfig c = config(List.of("10.0.0.2", "10.0.0.3"), "");
    VirtualService v = c.virtuals().get(0);
    ServerView adoptedUp =
        new ServerView(
            ServerId.of(v.name(), v.servers().get(0).address(), 69),
            v,
            v.servers().get(0),
            Health.UNKNOWN,
            true,
            1,
            false,
            Optional.empty(),
            T0,
            Optional.empty(),
            Optional.empty(),
            0,
            0,
            "fake");
    ServerView adoptedQuiesced =
        new ServerView(
            ServerId.of(v.name(), v.servers().get(1).address(), 69),
            v,
            v.servers().get(1),
            Health.UNKNOWN,
            true,
            0,
            false,
            Optional.empty(),
            T0,
            Optional.empty(),
            Optional.empty(),
            0,
            0,
            "fake");
    IpvsTable t =
        EcmpTables.build(new MonitorSnapshot(c, List.of(adoptedUp, adoptedQuiesced), T0, T0));
    assertThat(lines(t))
        .containsExactly(
            "-A -f 1 -s mh -b mh-fallback",
            "-a -f 1 -r 10.0.0.2:0 -g -w 1",
            "-a -f 1 -r 10.0.0.3:0 -g -w 0");
  }

  @Test
  void vip_servers_wait_for_every_first_probe_and_count_the_weakest_virtual() throws Exception {
    LvsConfig c = config(List.of("10.0.0.2", "10.0.0.3"), "");
    InetAddress vip = InetAddress.getByName("203.0.113.10");
    assertThat(EcmpTables.vipServers(snapshot(c, Map.of("10.0.0.2", Health.UP))))
        .containsEntry(vip, new EcmpTables.VipServers(false, 1, 2));
    assertThat(
            EcmpTables.vipServers(
                snapshot(c, Map.of("10.0.0.2", Health.UP, "10.0.0.3", Health.DOWN))))
        .containsEntry(vip, new EcmpTables.VipServers(true, 1, 2));
  }

  /**
   * The kernel's list as {@code ip_vs_mh.c} sees it: each real server in list order with its weight
   * and its {@code last_weight} (the last non-zero weight it was given; set by every add). The mh
   * lookup table is a function of exactly these (and the fixed hash keys), so two equal lists give
   * two equal tables.
   */
  static final class KernelModel {
    final List<String> order = new ArrayList<>(); // head first
    final Map<String, int[]> weights = new HashMap<>(); // address -> {weight, last_weight}

    void apply(List<IpvsCommand> plan) {
      for (IpvsCommand c : plan) {
        if (c instanceof IpvsCommand.AddDestination a) {
          String k = a.destination().address().toString();
          order.add(0, k);
          weights.put(k, new int[] {a.destination().weight(), a.destination().weight()});
        } else if (c instanceof IpvsCommand.EditDestination e) {
          int[] w = weights.get(e.destination().address().toString());
          w[0] = e.destination().weight();
          if (w[0] != 0) {
            w[1] = w[0];
          }
        } else if (c instanceof IpvsCommand.DeleteDestination d) {
          order.remove(d.address().toString());
          weights.remove(d.address().toString());
        } else if (c instanceof IpvsCommand.DeleteService) {
          order.clear();
          weights.clear();
        }
      }
    }

    List<String> mhInput() {
      List<String> out = new ArrayList<>();
      for (String k : order) {
        int[] w = weights.get(k);
        out.add(k + " w" + w[0] + " last" + w[1]);
      }
      return out;
    }
  }

  /** One director: a kernel table (dry-run model) and the mh input model beside it. */
  static final class Director {
    IpvsTable kernel = IpvsTable.EMPTY;
    final KernelModel mh = new KernelModel();

    void converge(IpvsTable desired) {
      List<IpvsCommand> plan = IpvsPlanner.plan(desired, kernel, Set.of(TFTP));
      IpvsTable.Builder b = kernel.toBuilder();
      for (IpvsCommand c : plan) {
        assertThat(b.apply(c)).as(c.line()).isNull();
      }
      kernel = b.build();
      mh.apply(plan);
      assertThat(IpvsPlanner.plan(desired, kernel, Set.of(TFTP))).isEmpty();
    }
  }

  /**
   * Directors with different lvs.cf orders and different histories (one runs through many health
   * changes, one restarts late while some servers are down, one sees servers come up in another
   * order) end with the same mh input whenever they agree on health: same list order, weights and
   * last_weights.
   */
  @Test
  void directors_with_different_histories_end_with_identical_mh_tables() throws Exception {
    List<String> addrs = List.of("10.0.0.5", "10.0.0.2", "10.0.0.4", "10.0.0.3", "10.0.0.6");
    Random r = new Random(7);
    LvsConfig c1 = config(addrs, "");
    LvsConfig c2 = config(reversed(addrs), "");
    Director long_running = new Director();
    Map<String, Health> h = new LinkedHashMap<>();
    long_running.converge(EcmpTables.build(snapshot(c1, h)));
    for (int i = 0; i < 200; i++) {
      h.put(addrs.get(r.nextInt(addrs.size())), r.nextBoolean() ? Health.UP : Health.DOWN);
      long_running.converge(EcmpTables.build(snapshot(c1, h)));
    }
    Director restarted = new Director();
    restarted.converge(EcmpTables.build(snapshot(c2, Map.of()))); // started before any probe
    restarted.converge(EcmpTables.build(snapshot(c2, h)));
    Director other = new Director();
    Map<String, Health> late = new HashMap<>();
    for (String a : reversed(addrs)) {
      late.put(a, Health.UP);
      other.converge(EcmpTables.build(snapshot(c2, late)));
    }
    other.converge(EcmpTables.build(snapshot(c2, h)));

    assertThat(restarted.mh.mhInput()).isEqualTo(long_running.mh.mhInput());
    assertThat(other.mh.mhInput()).isEqualTo(long_running.mh.mhInput());
    assertThat(long_running.mh.mhInput())
        .hasSize(5)
        .allSatisfy(s -> assertThat(s).doesNotContain("last0"));
    assertThat(long_running.mh.order)
        .containsExactly("/10.0.0.2:0", "/10.0.0.3:0", "/10.0.0.4:0", "/10.0.0.5:0", "/10.0.0.6:0");
  }

  /** Without the add weight, a server added while down gets last_weight 0: the tables differ. */
  @Test
  void the_add_weight_is_what_makes_a_restart_while_a_server_is_down_agree() throws Exception {
    LvsConfig c = config(List.of("10.0.0.2", "10.0.0.3"), "");
    Map<String, Health> h = Map.of("10.0.0.2", Health.DOWN, "10.0.0.3", Health.UP);
    Director a = new Director();
    a.converge(EcmpTables.build(snapshot(c, Map.of("10.0.0.2", Health.UP, "10.0.0.3", Health.UP))));
    a.converge(EcmpTables.build(snapshot(c, h)));
    IpvsTable withoutAddWeights =
        IpvsTable.builder().service(EcmpTables.service(c.virtuals().get(0))).build().toBuilder()
            .build();
    IpvsTable desired = EcmpTables.build(snapshot(c, h));
    IpvsTable.Builder nb = withoutAddWeights.toBuilder();
    for (var d : desired.entry(TFTP).orElseThrow().destinations().values()) {
      nb.destination(TFTP, d);
    }
    Director b = new Director();
    b.converge(nb.build());
    assertThat(b.mh.mhInput()).isNotEqualTo(a.mh.mhInput());
    Director fixed = new Director();
    fixed.converge(desired);
    assertThat(fixed.mh.mhInput()).isEqualTo(a.mh.mhInput());
  }
}
