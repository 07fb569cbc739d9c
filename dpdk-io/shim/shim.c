#include "shim.h"

int dpdk_io_errno(void) { return rte_errno; }

uint16_t dpdk_io_rx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_eth_rx_burst(port, queue, pkts, n);
}

uint16_t dpdk_io_tx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n)
{
	return rte_eth_tx_burst(port, queue, pkts, n);
}

struct rte_mbuf *dpdk_io_pktmbuf_alloc(struct rte_mempool *mp) { return rte_pktmbuf_alloc(mp); }

void dpdk_io_pktmbuf_free(struct rte_mbuf *m) { rte_pktmbuf_free(m); }

uint8_t *dpdk_io_mtod(struct rte_mbuf *m) { return rte_pktmbuf_mtod(m, uint8_t *); }

uint16_t dpdk_io_data_len(const struct rte_mbuf *m) { return m->data_len; }

uint32_t dpdk_io_pkt_len(const struct rte_mbuf *m) { return m->pkt_len; }

uint16_t dpdk_io_nb_segs(const struct rte_mbuf *m) { return m->nb_segs; }

uint8_t *dpdk_io_append(struct rte_mbuf *m, uint16_t len)
{
	return (uint8_t *)rte_pktmbuf_append(m, len);
}

uint16_t dpdk_io_tailroom(const struct rte_mbuf *m) { return rte_pktmbuf_tailroom(m); }

int dpdk_io_port_from_rings(const char *name, struct rte_ring *rx, struct rte_ring *tx)
{
	struct rte_ring *rxs[1] = { rx };
	struct rte_ring *txs[1] = { tx };
	return rte_eth_from_rings(name, rxs, 1, txs, 1, (unsigned)rte_socket_id());
}

struct rte_ring *dpdk_io_ring_create(const char *name, unsigned count)
{
	return rte_ring_create(name, count, (int)rte_socket_id(), RING_F_SP_ENQ | RING_F_SC_DEQ);
}

unsigned dpdk_io_lcore_id(void) { return rte_lcore_id(); }
