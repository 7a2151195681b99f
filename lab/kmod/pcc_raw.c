// SPDX-License-Identifier: GPL-2.0
/*
 * pcc_raw: a PCC client without a protocol, for the qemu-pcc lab.
 *
 * Binds to QEMU's pcc-raw test device (ACPI _HID "QEMU0CC0", _DSD integer
 * "pcc-channel" = the subspace index), requests that subspace through
 * drivers/mailbox/pcc.c and gives user space one character device per
 * channel, /dev/pcc-raw-N: write() sends one message and waits for its
 * completion, read() returns the answer (subspace types 0 to 3) or the
 * next platform notification (type 4). The interface is described in
 * README.md next to this file.
 *
 * Copyright (c) 2026 qemu-pcc developers
 */

#include <linux/acpi.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/kref.h>
#include <linux/mailbox_client.h>
#include <linux/mailbox_controller.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/platform_device.h>
#include <linux/poll.h>
#include <linux/property.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <acpi/pcc.h>

/* Shared memory layouts (ACPI 6.5, 14.2 and 14.3) */
#define PCC_RAW_GEN_HDR_SIZE	8	/* signature, command, status */
#define PCC_RAW_GEN_STATUS	6	/* u16 status in the generic layout */
#define PCC_RAW_EXT_HDR_SIZE	16	/* signature, flags, length, command */
#define PCC_RAW_EXT_LENGTH	8	/* u32 length in the extended layout */
#define PCC_RAW_EXT_OVERHEAD	12	/* bytes before the ones length counts */

#define PCC_RAW_TYPE_RESPONDER	4	/* extended responder (notifications) */
#define PCC_RAW_QUEUE_LEN	8	/* messages kept for read() */
#define PCC_RAW_MAX_SHMEM	SZ_1M	/* larger subspaces are refused */
#define PCC_RAW_POLL_US		10	/* status word poll interval */

static unsigned int timeout_ms;
module_param(timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms,
		 "completion timeout per message in ms, taken at open() (0: 500 x the subspace's nominal latency, as pcc.c's clients do)");

/* How write() learns that the platform completed a message */
enum pcc_raw_completion {
	/* pcc.c's interrupt ends the transfer (mbox_send_message blocks) */
	PCC_RAW_BY_IRQ,
	/* pcc.c's poll timer reads the command complete register (type 3) */
	PCC_RAW_BY_MBOX_POLL,
	/* the status word's command complete bit (types 0 to 2), then
	 * mbox_client_txdone(): a PCCT without the platform interrupt flag */
	PCC_RAW_BY_STATUS_ACK,
	/* the same, then mbox_chan_txdone(): type 0 in a PCCT with the flag,
	 * whose transfers pcc.c never ends (type 0 gets no interrupt) */
	PCC_RAW_BY_STATUS_IRQ,
	/* type 4: nothing to send */
	PCC_RAW_NO_SEND,
};

static const char *const pcc_raw_completion_names[] = {
	[PCC_RAW_BY_IRQ] = "interrupt",
	[PCC_RAW_BY_MBOX_POLL] = "mailbox poll of the command complete register",
	[PCC_RAW_BY_STATUS_ACK] = "status word poll",
	[PCC_RAW_BY_STATUS_IRQ] = "status word poll (type 0 gets no interrupt)",
	[PCC_RAW_NO_SEND] = "notifications only",
};

struct pcc_raw {
	struct kref ref;
	struct device *dev;
	u32 index;
	u8 type;
	bool pcct_irq;		/* PCCT flags bit 0, platform interrupt */
	enum pcc_raw_completion completion;
	char name[16];
	struct miscdevice misc;

	/* lock: open state, the channel and write(); read_lock: read() */
	struct mutex lock;
	struct mutex read_lock;
	bool opened;
	struct mbox_client cl;
	struct pcc_mbox_chan *chan;
	size_t size;		/* shmem_size */
	unsigned int timeout;	/* ms, for this open */
	u8 *buf;		/* write() staging, under lock */
	u8 *rbuf;		/* read() copy-out, under read_lock */

	/* qlock (taken from the rx callback, hard IRQ): the message queue */
	spinlock_t qlock;
	wait_queue_head_t wait;
	u8 *slots;		/* PCC_RAW_QUEUE_LEN * size, NULL when closed */
	size_t lens[PCC_RAW_QUEUE_LEN];
	unsigned int head, count;
	unsigned long dropped;
};

static void pcc_raw_release_ref(struct kref *ref)
{
	struct pcc_raw *raw = container_of(ref, struct pcc_raw, ref);

	put_device(raw->dev);
	kfree(raw);
}

static bool pcc_raw_extended(const struct pcc_raw *raw)
{
	return raw->type >= 3;
}

/*
 * The length of the message now in shared memory: the extended layout
 * says it (12 + its length field, bounded by the shared memory), the
 * generic one does not (all of the shared memory).
 */
static size_t pcc_raw_msg_len(struct pcc_raw *raw)
{
	u32 len;

	if (!pcc_raw_extended(raw))
		return raw->size;
	len = ioread32(raw->chan->shmem + PCC_RAW_EXT_LENGTH);
	if (len > raw->size - PCC_RAW_EXT_OVERHEAD)
		return raw->size;
	return PCC_RAW_EXT_OVERHEAD + len;
}

/* Copies the message in shared memory to the queue. Under qlock. */
static void pcc_raw_queue_shmem(struct pcc_raw *raw)
{
	size_t len = pcc_raw_msg_len(raw);
	unsigned int tail;

	if (raw->count == PCC_RAW_QUEUE_LEN) {
		/* keep the newest: the oldest message goes */
		raw->head = (raw->head + 1) % PCC_RAW_QUEUE_LEN;
		raw->count--;
		raw->dropped++;
		dev_warn_ratelimited(raw->dev,
				     "%s: queue full, oldest message dropped (%lu so far)\n",
				     raw->name, raw->dropped);
	}
	tail = (raw->head + raw->count) % PCC_RAW_QUEUE_LEN;
	memcpy_fromio(raw->slots + (size_t)tail * raw->size, raw->chan->shmem, len);
	raw->lens[tail] = len;
	raw->count++;
}

/* Takes the oldest message into raw->rbuf; its length, or 0 if none. */
static size_t pcc_raw_dequeue(struct pcc_raw *raw)
{
	unsigned long flags;
	size_t len = 0;

	spin_lock_irqsave(&raw->qlock, flags);
	if (raw->slots && raw->count) {
		len = raw->lens[raw->head];
		memcpy(raw->rbuf, raw->slots + (size_t)raw->head * raw->size, len);
		raw->head = (raw->head + 1) % PCC_RAW_QUEUE_LEN;
		raw->count--;
	}
	spin_unlock_irqrestore(&raw->qlock, flags);
	return len;
}

static bool pcc_raw_readable(struct pcc_raw *raw)
{
	unsigned long flags;
	bool ready;

	spin_lock_irqsave(&raw->qlock, flags);
	ready = raw->count > 0;
	spin_unlock_irqrestore(&raw->qlock, flags);
	return ready;
}

/*
 * pcc.c calls this from its interrupt handler (and, for a type 3 subspace
 * without the PCCT's interrupt flag, from the mailbox poll timer), before
 * it acknowledges a type 4 notification. Completions of types 0 to 3 are
 * handled in write(); only notifications are kept here.
 */
static void pcc_raw_rx(struct mbox_client *cl, void *mssg)
{
	struct pcc_raw *raw = container_of(cl, struct pcc_raw, cl);
	unsigned long flags;

	if (raw->type != PCC_RAW_TYPE_RESPONDER)
		return;
	spin_lock_irqsave(&raw->qlock, flags);
	/* slots is set once open() has its buffers: earlier ones are lost */
	if (raw->slots)
		pcc_raw_queue_shmem(raw);
	spin_unlock_irqrestore(&raw->qlock, flags);
	wake_up_interruptible(&raw->wait);
}

static enum pcc_raw_completion pcc_raw_completion_for(u8 type, bool pcct_irq)
{
	if (type == PCC_RAW_TYPE_RESPONDER)
		return PCC_RAW_NO_SEND;
	if (type == 3)
		return pcct_irq ? PCC_RAW_BY_IRQ : PCC_RAW_BY_MBOX_POLL;
	if (!pcct_irq)
		return PCC_RAW_BY_STATUS_ACK;
	return type == 0 ? PCC_RAW_BY_STATUS_IRQ : PCC_RAW_BY_IRQ;
}

static int pcc_raw_open(struct inode *inode, struct file *file)
{
	struct pcc_raw *raw = container_of(file->private_data, struct pcc_raw, misc);
	struct pcc_mbox_chan *chan;
	unsigned long flags;
	u8 *slots = NULL;
	u64 us;
	int ret;

	mutex_lock(&raw->lock);
	if (raw->opened) {
		ret = -EBUSY;
		goto out;
	}
	raw->cl = (struct mbox_client) {
		.dev = raw->dev,
		.rx_callback = pcc_raw_rx,
		/* see enum pcc_raw_completion */
		.knows_txdone = raw->completion == PCC_RAW_BY_STATUS_ACK,
		.tx_block = raw->completion == PCC_RAW_BY_IRQ ||
			    raw->completion == PCC_RAW_BY_MBOX_POLL,
	};
	chan = pcc_mbox_request_channel(&raw->cl, raw->index);
	if (IS_ERR(chan)) {
		ret = PTR_ERR(chan);
		goto out;
	}
	/*
	 * The timeout needs the channel's latency. Setting tx_tout after the
	 * bind is safe: only mbox_send_message reads it, and nothing can send
	 * before open() returns.
	 */
	raw->timeout = READ_ONCE(timeout_ms);
	if (!raw->timeout) {
		us = chan->latency ? 500ULL * chan->latency : USEC_PER_SEC;
		raw->timeout = max_t(u64, 1, DIV_ROUND_UP_ULL(us, 1000));
	}
	raw->cl.tx_tout = raw->timeout;
	if (!chan->shmem || chan->shmem_size > PCC_RAW_MAX_SHMEM ||
	    chan->shmem_size < (pcc_raw_extended(raw) ? PCC_RAW_EXT_HDR_SIZE :
						       PCC_RAW_GEN_HDR_SIZE)) {
		dev_err(raw->dev, "%s: shared memory of %llu bytes is not usable\n",
			raw->name, chan->shmem_size);
		ret = -EINVAL;
		goto free_chan;
	}
	if (!!chan->mchan->mbox->txdone_irq != raw->pcct_irq) {
		dev_err(raw->dev, "%s: pcc.c and the PCCT disagree on the platform interrupt\n",
			raw->name);
		ret = -EIO;
		goto free_chan;
	}
	raw->size = chan->shmem_size;
	raw->buf = kvzalloc(raw->size, GFP_KERNEL);
	raw->rbuf = kvzalloc(raw->size, GFP_KERNEL);
	slots = kvcalloc(PCC_RAW_QUEUE_LEN, raw->size, GFP_KERNEL);
	if (!raw->buf || !raw->rbuf || !slots) {
		ret = -ENOMEM;
		goto free_bufs;
	}
	spin_lock_irqsave(&raw->qlock, flags);
	raw->chan = chan;
	raw->slots = slots;
	raw->head = 0;
	raw->count = 0;
	raw->dropped = 0;
	spin_unlock_irqrestore(&raw->qlock, flags);
	raw->opened = true;
	kref_get(&raw->ref);
	file->private_data = raw;
	ret = stream_open(inode, file);
	goto out;

free_bufs:
	kvfree(slots);
	kvfree(raw->rbuf);
	kvfree(raw->buf);
	raw->rbuf = NULL;
	raw->buf = NULL;
free_chan:
	pcc_mbox_free_channel(chan);
out:
	mutex_unlock(&raw->lock);
	return ret;
}

static int pcc_raw_release(struct inode *inode, struct file *file)
{
	struct pcc_raw *raw = file->private_data;
	unsigned long flags;
	u8 *slots;

	mutex_lock(&raw->lock);
	/* frees the interrupt: no rx callback runs after this */
	pcc_mbox_free_channel(raw->chan);
	spin_lock_irqsave(&raw->qlock, flags);
	slots = raw->slots;
	raw->slots = NULL;
	raw->chan = NULL;
	raw->count = 0;
	spin_unlock_irqrestore(&raw->qlock, flags);
	kvfree(slots);
	kvfree(raw->rbuf);
	kvfree(raw->buf);
	raw->rbuf = NULL;
	raw->buf = NULL;
	raw->opened = false;
	mutex_unlock(&raw->lock);
	kref_put(&raw->ref, pcc_raw_release_ref);
	return 0;
}

/* Waits for the command complete bit of the generic status word. */
static int pcc_raw_poll_status(struct pcc_raw *raw)
{
	void __iomem *status = raw->chan->shmem + PCC_RAW_GEN_STATUS;
	u16 val;

	return read_poll_timeout(ioread16, val, val & PCC_STATUS_CMD_COMPLETE,
				 PCC_RAW_POLL_US, raw->timeout * USEC_PER_MSEC,
				 false, status);
}

/* One message, already in shared memory; 0, -EIO or the mailbox's error. */
static int pcc_raw_transfer(struct pcc_raw *raw)
{
	struct mbox_chan *mchan = raw->chan->mchan;
	int ret;

	/* pcc.c rings the doorbell and ignores the message pointer */
	ret = mbox_send_message(mchan, raw->buf);
	if (ret < 0)
		return ret;
	ret = 0;
	switch (raw->completion) {
	case PCC_RAW_BY_IRQ:
	case PCC_RAW_BY_MBOX_POLL:
		break;	/* mbox_send_message blocked until the end */
	case PCC_RAW_BY_STATUS_ACK:
		ret = pcc_raw_poll_status(raw);
		mbox_client_txdone(mchan, ret);
		break;
	case PCC_RAW_BY_STATUS_IRQ:
		ret = pcc_raw_poll_status(raw);
		mbox_chan_txdone(mchan, ret);
		break;
	case PCC_RAW_NO_SEND:
		return -EOPNOTSUPP;
	}
	if (!ret && !pcc_raw_extended(raw) &&
	    (ioread16(raw->chan->shmem + PCC_RAW_GEN_STATUS) & PCC_STATUS_ERROR))
		ret = -EIO;
	return ret;
}

static ssize_t pcc_raw_write(struct file *file, const char __user *ubuf,
			     size_t count, loff_t *ppos)
{
	struct pcc_raw *raw = file->private_data;
	size_t header = pcc_raw_extended(raw) ? PCC_RAW_EXT_HDR_SIZE :
						PCC_RAW_GEN_HDR_SIZE;
	unsigned long flags;
	int ret;

	if (raw->completion == PCC_RAW_NO_SEND)
		return -EOPNOTSUPP;
	if (count < header)
		return -EINVAL;
	if (file->f_flags & O_NONBLOCK) {
		if (!mutex_trylock(&raw->lock))
			return -EAGAIN;
	} else if (mutex_lock_interruptible(&raw->lock)) {
		return -ERESTARTSYS;
	}
	if (count > raw->size) {
		ret = -EMSGSIZE;
		goto out;
	}
	if (copy_from_user(raw->buf, ubuf, count)) {
		ret = -EFAULT;
		goto out;
	}
	memcpy_toio(raw->chan->shmem, raw->buf, count);
	ret = pcc_raw_transfer(raw);
	/* completed (also with the error bit): the answer can be read */
	if (!ret || ret == -EIO) {
		spin_lock_irqsave(&raw->qlock, flags);
		pcc_raw_queue_shmem(raw);
		spin_unlock_irqrestore(&raw->qlock, flags);
		wake_up_interruptible(&raw->wait);
	}
out:
	mutex_unlock(&raw->lock);
	return ret ? ret : count;
}

static ssize_t pcc_raw_read(struct file *file, char __user *ubuf, size_t count,
			    loff_t *ppos)
{
	struct pcc_raw *raw = file->private_data;
	size_t len;
	ssize_t ret;

	if (!count)
		return 0;
	for (;;) {
		if (mutex_lock_interruptible(&raw->read_lock))
			return -ERESTARTSYS;
		len = pcc_raw_dequeue(raw);
		if (len) {
			/* one message per read(); what does not fit is dropped */
			ret = min(count, len);
			if (copy_to_user(ubuf, raw->rbuf, ret))
				ret = -EFAULT;
		}
		mutex_unlock(&raw->read_lock);
		if (len)
			return ret;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(raw->wait, pcc_raw_readable(raw)))
			return -ERESTARTSYS;
	}
}

static __poll_t pcc_raw_poll(struct file *file, poll_table *wait)
{
	struct pcc_raw *raw = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &raw->wait, wait);
	if (pcc_raw_readable(raw))
		mask |= EPOLLIN | EPOLLRDNORM;
	if (raw->completion != PCC_RAW_NO_SEND)
		mask |= EPOLLOUT | EPOLLWRNORM;
	return mask;
}

static const struct file_operations pcc_raw_fops = {
	.owner = THIS_MODULE,
	.open = pcc_raw_open,
	.release = pcc_raw_release,
	.read = pcc_raw_read,
	.write = pcc_raw_write,
	.poll = pcc_raw_poll,
};

/* The type of PCCT subspace `index` and the PCCT's interrupt flag. */
static int pcc_raw_pcct(u32 index, u8 *type, bool *pcct_irq)
{
	struct acpi_table_header *hdr;
	struct acpi_subtable_header *sub;
	u8 *p, *end;
	u32 i;
	int ret = -ENOENT;

	if (ACPI_FAILURE(acpi_get_table(ACPI_SIG_PCCT, 0, &hdr)))
		return -ENODEV;
	if (hdr->length < sizeof(struct acpi_table_pcct)) {
		ret = -EINVAL;
		goto out;
	}
	*pcct_irq = ((struct acpi_table_pcct *)hdr)->flags & ACPI_PCCT_DOORBELL;
	p = (u8 *)hdr + sizeof(struct acpi_table_pcct);
	end = (u8 *)hdr + hdr->length;
	/* as pcc.c: the index is the position in the table */
	for (i = 0; p + sizeof(*sub) <= end; i++) {
		sub = (struct acpi_subtable_header *)p;
		if (sub->length < sizeof(*sub) || sub->length > end - p) {
			ret = -EINVAL;
			break;
		}
		if (i == index) {
			*type = sub->type;
			ret = 0;
			break;
		}
		p += sub->length;
	}
out:
	acpi_put_table(hdr);
	return ret;
}

static int pcc_raw_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct pcc_raw *raw;
	u32 index;
	int ret;

	ret = device_property_read_u32(dev, "pcc-channel", &index);
	if (ret)
		return dev_err_probe(dev, -ENODEV, "no pcc-channel property\n");
	if (index >= MAX_PCC_SUBSPACES)
		return dev_err_probe(dev, -EINVAL, "pcc-channel %u out of range\n", index);
	raw = kzalloc(sizeof(*raw), GFP_KERNEL);
	if (!raw)
		return -ENOMEM;
	kref_init(&raw->ref);
	raw->dev = get_device(dev);
	raw->index = index;
	mutex_init(&raw->lock);
	mutex_init(&raw->read_lock);
	spin_lock_init(&raw->qlock);
	init_waitqueue_head(&raw->wait);
	snprintf(raw->name, sizeof(raw->name), "pcc-raw-%u", index);

	ret = pcc_raw_pcct(index, &raw->type, &raw->pcct_irq);
	if (ret) {
		dev_err_probe(dev, ret, "PCCT has no subspace %u\n", index);
		goto put;
	}
	if (raw->type > PCC_RAW_TYPE_RESPONDER) {
		ret = dev_err_probe(dev, -EOPNOTSUPP,
				    "subspace %u has type %u, not 0 to 4\n",
				    index, raw->type);
		goto put;
	}
	raw->completion = pcc_raw_completion_for(raw->type, raw->pcct_irq);

	raw->misc.minor = MISC_DYNAMIC_MINOR;
	raw->misc.name = raw->name;
	raw->misc.fops = &pcc_raw_fops;
	raw->misc.parent = dev;
	raw->misc.mode = 0600;
	ret = misc_register(&raw->misc);
	if (ret) {
		dev_err_probe(dev, ret, "misc_register %s\n", raw->name);
		goto put;
	}
	platform_set_drvdata(pdev, raw);
	dev_info(dev, "/dev/%s: subspace %u, type %u, completion by %s\n",
		 raw->name, index, raw->type,
		 pcc_raw_completion_names[raw->completion]);
	return 0;

put:
	kref_put(&raw->ref, pcc_raw_release_ref);
	return ret;
}

static void pcc_raw_remove(struct platform_device *pdev)
{
	struct pcc_raw *raw = platform_get_drvdata(pdev);

	/* no new open() after this; an open file keeps its reference */
	misc_deregister(&raw->misc);
	kref_put(&raw->ref, pcc_raw_release_ref);
}

static const struct acpi_device_id pcc_raw_acpi_ids[] = {
	{ "QEMU0CC0", 0 },
	{ }
};
MODULE_DEVICE_TABLE(acpi, pcc_raw_acpi_ids);

static struct platform_driver pcc_raw_driver = {
	.driver = {
		.name = "pcc-raw",
		.acpi_match_table = pcc_raw_acpi_ids,
	},
	.probe = pcc_raw_probe,
	.remove = pcc_raw_remove,
};
module_platform_driver(pcc_raw_driver);

MODULE_DESCRIPTION("Raw PCC subspaces as character devices (qemu-pcc lab)");
MODULE_AUTHOR("qemu-pcc developers");
MODULE_LICENSE("GPL");
