"""The notification inbox (issue 10): every plugin turns domain events into notices for people
(the ``notifications`` hook); core stores them, lists them on ``Person.notifications`` (the
person's own only), marks them read (``notificationsMarkRead``) and pushes them
(``notificationAdded``), each shown only while its recipient may see its subject.
"""
