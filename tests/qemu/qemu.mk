# QEMU proving ground (included by the top Makefile).  Everything it makes
# lives under $(BUILD)/qemu; see tests/qemu/README.md.
#
#   make check-qemu                 all scenarios (part of make test)
#   make check-qemu QEMU_SCENARIOS="2-no-raid-untouched"
#   make check-qemu-strict          initrd assembly forms of a real 6.0.2
#   make check-qemu-refusals        installs xsraid should refuse
#   make qemu-images                the fixtures only: packages, roots,
#                                   installer images, CDs
#
# The xsraid variants of the installer image and CD are made by
# xsraid-remaster (initramfs/) from the stock ones, with XSRAID_BIN and the
# hook scripts in XSRAID_HOOK_DIR.  To exercise the harness without the helper:
#   make check-qemu XSRAID_BIN=none \
#       XSRAID_HOOK_DIR=tests/qemu/fixtures/placeholder-hook \
#       QEMU_SCENARIOS=2-no-raid-untouched

QEMU_DIR        := tests/qemu
QEMU_BUILD      := $(BUILD)/qemu
XSRAID_BIN      ?= $(BUILD)/xsraid
XSRAID_HOOK_DIR ?= installer-hook/hook
QEMU_SCENARIOS  ?=

QEMU_PKGS_DONE  := $(QEMU_BUILD)/pkgs/.done
QEMU_DOM0_DONE  := $(QEMU_BUILD)/dom0-root.done
QEMU_IMG_STOCK  := $(QEMU_BUILD)/install-stock.img
QEMU_IMG_XSRAID := $(QEMU_BUILD)/install-xsraid.img
QEMU_ISO_DONE   := $(QEMU_BUILD)/iso-files/.done
QEMU_ISO_STOCK  := $(QEMU_BUILD)/install-stock.iso
QEMU_ISO_XSRAID := $(QEMU_BUILD)/install-xsraid.iso
QEMU_RAIDAUTORUN := $(QEMU_BUILD)/raidautorun

QEMU_INSTALLER_SRC := $(wildcard $(QEMU_DIR)/installer/*) $(QEMU_DIR)/marker.sh $(QEMU_DIR)/mkroots.sh
QEMU_DOM0_SRC      := $(wildcard $(QEMU_DIR)/dom0/*) $(QEMU_DIR)/marker.sh $(QEMU_DIR)/mkroots.sh
# The helper is a real prerequisite unless the placeholder run asks for none.
QEMU_XSRAID_DEP    := $(filter-out none,$(XSRAID_BIN))
QEMU_XSRAID_INPUTS := $(REMASTER) $(QEMU_XSRAID_DEP) $(wildcard $(XSRAID_HOOK_DIR)/*) \
                      $(QEMU_BUILD)/xsraid-inputs
QEMU_PAYLOAD       := --helper $(XSRAID_BIN) --hooks $(XSRAID_HOOK_DIR)

$(QEMU_PKGS_DONE): $(QEMU_DIR)/fetch-debs.sh versions.env
	$(QEMU_DIR)/fetch-debs.sh $(QEMU_BUILD)
	touch $@

# What nash's raidautorun gets from a kernel with md built in (the stand-in's
# md is a module): a static program for the dom0's "autorun" initrds.
$(QEMU_RAIDAUTORUN): $(QEMU_DIR)/fixtures/raidautorun.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) $(WARN) -Os -static -o $@ $<

$(QEMU_DOM0_DONE): $(QEMU_PKGS_DONE) $(QEMU_DOM0_SRC) $(QEMU_RAIDAUTORUN) $(QEMU_DIR)/installer/devlinks versions.env
	sh $(QEMU_DIR)/mkroots.sh dom0 $(QEMU_BUILD)/pkgs $(QEMU_BUILD)/dom0-root $(QEMU_RAIDAUTORUN)
	touch $@

$(QEMU_IMG_STOCK): $(QEMU_DOM0_DONE) $(QEMU_INSTALLER_SRC)
	sh $(QEMU_DIR)/mkroots.sh installer $(QEMU_BUILD)/pkgs $(QEMU_BUILD)/dom0-root \
		$(QEMU_BUILD)/installer-root $@

# The stand-in's stock CD: XenServer's layout and boot entries, isohybrid.
$(QEMU_ISO_STOCK): $(QEMU_IMG_STOCK) $(QEMU_ISO_DONE) $(QEMU_DIR)/mkiso.sh $(QEMU_DIR)/isolinux-stock.cfg
	sh $(QEMU_DIR)/mkiso.sh $(QEMU_BUILD)/iso-files $(QEMU_IMG_STOCK) $(QEMU_DIR)/isolinux-stock.cfg $@ --isohybrid

# What the scenarios boot, made by the remaster tool as a user would: the
# image (scenarios add their answerfile), and the CD `make iso` makes from
# the stand-in's, which installs with $(EXAMPLE_ANSWERFILE).  Rebuilt
# whenever the tool, the helper or a hook file changes (FORCE-free: the hook
# directory's files are listed as prerequisites).
$(QEMU_IMG_XSRAID): $(QEMU_IMG_STOCK) $(QEMU_XSRAID_INPUTS)
	$(REMASTER) image $(QEMU_IMG_STOCK) $@ $(QEMU_PAYLOAD)

$(QEMU_ISO_XSRAID): $(QEMU_ISO_STOCK) $(QEMU_XSRAID_INPUTS) $(EXAMPLE_ANSWERFILE)
	$(REMASTER) iso $(QEMU_ISO_STOCK) $@ $(QEMU_PAYLOAD) --answerfile $(EXAMPLE_ANSWERFILE)

# Records which helper and hook directory the xsraid image was made from,
# so switching between the placeholder and the real hook rebuilds it.
$(QEMU_BUILD)/xsraid-inputs: FORCE
	@mkdir -p $(@D)
	@echo "$(XSRAID_BIN) $(XSRAID_HOOK_DIR)" | cmp -s - $@ || echo "$(XSRAID_BIN) $(XSRAID_HOOK_DIR)" >$@

# What the boot ISO holds besides install.img: isolinux, mboot.c32 and
# libcom32.c32, Xen and the dom0 kernel; and the isohybrid MBR.
$(QEMU_ISO_DONE): $(QEMU_PKGS_DONE) versions.env
	rm -rf $(@D) && mkdir -p $(@D)
	cp $(addprefix $(QEMU_BUILD)/pkgs/isolinux/usr/lib/ISOLINUX/,isolinux.bin isohdpfx.bin) $(@D)/
	cp $(addprefix $(QEMU_BUILD)/pkgs/syslinux-common/usr/lib/syslinux/modules/bios/,ldlinux.c32 mboot.c32 libcom32.c32) $(@D)/
	cp $(QEMU_BUILD)/pkgs/xen-hypervisor-*/boot/xen-*-amd64.gz $(@D)/xen.gz
	cp $(QEMU_BUILD)/pkgs/linux-image-$(KERNEL_ABI)/boot/vmlinuz-$(KERNEL_ABI) $(@D)/vmlinuz
	touch $@

qemu-images: $(QEMU_IMG_STOCK) $(QEMU_IMG_XSRAID) $(QEMU_ISO_DONE) $(QEMU_ISO_XSRAID)

QEMU_ENV = QEMU_BUILD=$(abspath $(QEMU_BUILD)) IMG_STOCK=$(abspath $(QEMU_IMG_STOCK)) \
	IMG_XSRAID=$(abspath $(QEMU_IMG_XSRAID)) ISO_XSRAID=$(abspath $(QEMU_ISO_XSRAID)) \
	ISO_FILES=$(abspath $(QEMU_BUILD)/iso-files) XSRAID_PLAN_BIN=$(abspath $(ASAN)/xsraid)

check-qemu: qemu-images $(ASAN)/xsraid
	$(QEMU_ENV) $(PXE_ENV) $(QEMU_DIR)/run.sh $(QEMU_SCENARIOS)

# A power cut inside every step of both stages, and both recoveries (see
# tests/qemu/power-cuts/): hours, not part of make test.
#   make check-power-cuts [POWER_CUT_STEPS="copy-root add-disk1"] [POWER_CUT_COPY=blocks]
POWER_CUT_STEPS ?=
POWER_CUT_COPY ?= files
check-power-cuts: qemu-images $(ASAN)/xsraid
	$(QEMU_ENV) POWER_CUT_COPY=$(POWER_CUT_COPY) $(QEMU_DIR)/power-cuts/run.sh $(POWER_CUT_STEPS)

# Where a real 6.0.2 host is harsher than the stand-in's defaults: the
# installed system's initrd assembling md0 without mdadm (2.6.32 autodetect)
# and with mdadm but no mdadm.conf.  Not part of make test (see the README).
QEMU_STRICT_SCENARIOS := strict-initrd-autorun strict-initrd-mdadm-scan
check-qemu-strict: qemu-images
	$(QEMU_ENV) $(QEMU_DIR)/run.sh $(QEMU_STRICT_SCENARIOS)

# What a user checks after an install xsraid should have refused: a target
# whose mkinitrd leaves RAID out, an installer without md modules.
QEMU_REFUSAL_SCENARIOS := refuse-initrd-without-raid refuse-initrd-scan-without-conf \
	refuse-installer-without-md
check-qemu-refusals: qemu-images
	$(QEMU_ENV) $(QEMU_DIR)/run.sh $(QEMU_REFUSAL_SCENARIOS)

# Every kind of old metadata on the second disk under both wipe policies
# (see tests/qemu/old-metadata/): about 40 minutes, not part of make test.
#   make check-old-metadata [OLD_METADATA_KINDS="md1.2 luks"]
OLD_METADATA_KINDS ?=
check-old-metadata: qemu-images
	$(QEMU_ENV) $(QEMU_DIR)/old-metadata/run.sh $(OLD_METADATA_KINDS)

# The end-to-end part of make demo: a fleet's host installed over the
# network with xsraid, then booted from disk 2 alone (tests/qemu/pxe-demo.sh).
demo-install: qemu-images
	$(QEMU_ENV) $(PXE_ENV) $(QEMU_DIR)/pxe-demo.sh

.PHONY: check-qemu check-power-cuts check-qemu-strict check-qemu-refusals check-old-metadata \
	qemu-images demo-install FORCE

# The /proc/mdstat corpus of installer-hook/tests/data/mdstat: the md lab
# (tests/qemu/mdstat) builds arrays of every shape and snapshots them.  Not
# part of make test; the captured files are committed.
QEMU_MDLAB := $(QEMU_BUILD)/mdlab.img

$(QEMU_MDLAB): $(QEMU_PKGS_DONE) $(QEMU_DIR)/mdstat/guest-init $(QEMU_DIR)/mkroots.sh
	sh $(QEMU_DIR)/mkroots.sh mdlab $(QEMU_BUILD)/pkgs $(QEMU_DIR)/mdstat/guest-init \
		$(QEMU_BUILD)/mdlab-root $@

capture-mdstat: $(QEMU_MDLAB)
	QEMU_BUILD=$(abspath $(QEMU_BUILD)) MDLAB_IMG=$(abspath $(QEMU_MDLAB)) \
	KERNEL=$(abspath $(QEMU_BUILD)/pkgs/linux-image-$(KERNEL_ABI)/boot/vmlinuz-$(KERNEL_ABI)) \
		$(QEMU_DIR)/mdstat/capture.sh installer-hook/tests/data/mdstat

.PHONY: capture-mdstat
