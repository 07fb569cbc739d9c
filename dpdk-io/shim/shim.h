/* Linkable wrappers over DPDK's static inline functions and thread-local
 * rte_errno, for the Rust bindings of dpdk-io. */
#ifndef DPDK_IO_SHIM_H
#define DPDK_IO_SHIM_H

#include <stdint.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_eth_ring.h>
#include <rte_lcore.h>

/* rte_errno of the calling thread. */
int dpdk_io_errno(void);
uint16_t dpdk_io_rx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n);
uint16_t dpdk_io_tx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n);
struct rte_mbuf *dpdk_io_pktmbuf_alloc(struct rte_mempool *mp);
void dpdk_io_pktmbuf_free(struct rte_mbuf *m);
/* Start of the packet data (rte_pktmbuf_mtod). */
uint8_t *dpdk_io_mtod(struct rte_mbuf *m);
uint16_t dpdk_io_data_len(const struct rte_mbuf *m);
uint32_t dpdk_io_pkt_len(const struct rte_mbuf *m);
uint16_t dpdk_io_nb_segs(const struct rte_mbuf *m);
/* rte_pktmbuf_append: NULL if the tailroom is too small. */
uint8_t *dpdk_io_append(struct rte_mbuf *m, uint16_t len);
uint16_t dpdk_io_tailroom(const struct rte_mbuf *m);
/* rte_eth_from_rings with one rx and one tx ring: port id or -1. */
int dpdk_io_port_from_rings(const char *name, struct rte_ring *rx, struct rte_ring *tx);
/* rte_lcore_id of the calling thread (UINT32_MAX: none). */
unsigned dpdk_io_lcore_id(void);
/* rte_ring_create, single producer and single consumer. */
struct rte_ring *dpdk_io_ring_create(const char *name, unsigned count);

#endif
