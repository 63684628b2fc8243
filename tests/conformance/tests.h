/*
 * Prototypes of every test function (one per entry in tests.c).
 */
#ifndef RHCONF_TESTS_H
#define RHCONF_TESTS_H

void t_balance_objects(void);
void t_balance_threads(void);
void t_bio_many(void);
void t_bio_error(void);
void t_bio_eof(void);
void t_clock_absmono(void);
void t_clock_relwall(void);
void t_clock_sleep_rel(void);
void t_clock_sleep_abs(void);
void t_clock_sleep_yields(void);
void t_clock_abs_wall_jump(void);
void t_curlwp_setclear(void);
void t_curlwp_component(void);
void t_curlwp_switch(void);
void t_cv_signal(void);
void t_cv_broadcast(void);
void t_cv_nowrap(void);
void t_cv_timedwait_timeout(void);
void t_cv_timedwait_signalled(void);
void t_cv_timedwait_wall_jump(void);
void t_cv_order(void);
void t_cv_schedlock(void);
void t_errno_open(void);
void t_errno_errtrans(void);
void t_errno_seterrno(void);
void t_file_open_flags(void);
void t_file_info(void);
void t_file_info_blk(void);
void t_file_open_blocks(void);
void t_init_version(void);
void t_init_version_mismatch(void);
void t_init_version_newer(void);
void t_iov_offset(void);
void t_iov_noseek(void);
void t_mem_align(void);
void t_mem_align_small(void);
void t_mem_align_npot(void);
void t_mem_pages(void);
void t_mem_anonmmap(void);
void t_mutex_tryenter(void);
void t_mutex_enter_blocks(void);
void t_mutex_spin(void);
void t_mutex_exclusion(void);
void t_mutex_giant(void);
void t_param_ncpu(void);
void t_param_hostname(void);
void t_param_unknown(void);
void t_param_ncpu_small(void);
void t_param_hostname_small(void);
void t_random_basic(void);
void t_random_flags(void);
void t_random_fresh_per_boot(void);
void t_rw_basic(void);
void t_rw_enter_blocks(void);
void t_rw_tryupgrade_two_readers(void);
void t_rw_tryupgrade_sole(void);
void t_rw_downgrade(void);
void t_stress_cv_pingpong(void);
void t_stress_cv_timed_pingpong(void);
void t_stress_schedlock(void);
void t_stress_downgrade(void);
void t_stress_lifecycles(void);
void t_stress_threads(void);
void t_thread_join(void);
void t_thread_detached(void);
void t_thread_many(void);
void t_thread_detached_storm(void);
#ifdef RUMPHOST_NETBSD_CURRENT
void t_mutex_spin_p(void);
#endif

#endif /* RHCONF_TESTS_H */
